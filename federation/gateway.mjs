// Runs Apollo Gateway (@apollo/gateway on @apollo/server) over a composed supergraph.
//
//   node gateway.mjs --supergraph supergraph.graphql [--host 127.0.0.1] [--port 4000]
//
// Subgraph URLs come from the supergraph (the `routing_url` given to compose.mjs). The
// caller's Authorization, traceparent/tracestate and X-Request-ID headers are forwarded
// to every subgraph fetch, so each subgraph authenticates the caller and joins the trace.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";

import { serve } from "./lib/serve.mjs";

export const FORWARDED_HEADERS = ["authorization", "traceparent", "tracestate", "x-request-id"];

// Otherwise @apollo/gateway reports usage metrics to Apollo and probes cloud metadata
// endpoints for them; this runner talks only to its subgraphs.
process.env.APOLLO_TELEMETRY_DISABLED = "true";

const { values } = parseArgs({
  options: {
    supergraph: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "4000" },
  },
});
if (!values.supergraph) {
  process.stderr.write("usage: node gateway.mjs --supergraph FILE [--host H] [--port P]\n");
  process.exit(2);
}

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const [name, value] of Object.entries(context?.forwarded ?? {})) {
      request.http.headers.set(name, value);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: await readFile(values.supergraph, "utf8"),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
});

await serve(
  "Apollo Gateway",
  { gateway },
  {
    host: values.host,
    port: values.port,
    context: async ({ req }) => {
      const forwarded = {};
      for (const name of FORWARDED_HEADERS) {
        const value = req.headers[name];
        if (typeof value === "string") {
          forwarded[name] = value;
        }
      }
      return { forwarded };
    },
  },
);
