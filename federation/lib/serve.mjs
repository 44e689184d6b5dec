// Starts an Apollo Server on a host/port and prints where it listens, for people and scripts.
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";

/**
 * Serves `options` (ApolloServer options) at http://host:port/ and prints one line,
 * `listening on <url>`, on stdout once it accepts requests (port 0 picks a free port).
 * SIGTERM and SIGINT stop it cleanly.
 */
export async function serve(label, options, { host, port, context }) {
  const server = new ApolloServer({
    ...options,
    // The landing page loads its scripts from a CDN; these servers are API-only.
    plugins: [...(options.plugins ?? []), ApolloServerPluginLandingPageDisabled()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host, port: Number(port) },
    context,
  });
  process.stdout.write(`listening on ${url}\n`);
  process.stderr.write(`${label} listening on ${url}\n`);
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.once(signal, () => {
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  return server;
}
