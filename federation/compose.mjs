// Composes a supergraph with Apollo's own composition library (@apollo/composition).
//
//   node compose.mjs CONFIG.json [--output supergraph.graphql] [--json]
//
// CONFIG.json has the shape of Rover's supergraph config:
//   { "subgraphs": { "<name>": { "routing_url": "...",
//                                "schema": { "file": "..." } | { "subgraph_url": "..." } } } }
// A relative `file` is read from the config's directory; a `subgraph_url` is asked for
// `_service { sdl }` and is also the default `routing_url`. The supergraph SDL goes to
// --output (or stdout); hints and errors go to stderr, and any error exits 1. With --json,
// one JSON report goes to stdout instead:
//   { ok, errors: [{code, message}], hints: [{code, message}], supergraphSdl, apiSchemaSdl }
import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";

import { composeServices } from "@apollo/composition";
import { printSchema } from "@apollo/federation-internals";
import { parse } from "graphql";

import { readSubgraphSdl } from "./lib/sdl.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    output: { type: "string", short: "o" },
    json: { type: "boolean", default: false },
  },
});
if (positionals.length !== 1) {
  process.stderr.write("usage: node compose.mjs CONFIG.json [--output FILE] [--json]\n");
  process.exit(2);
}

const configPath = resolve(positionals[0]);
const config = JSON.parse(await readFile(configPath, "utf8"));
const entries = Object.entries(config.subgraphs ?? {});
if (entries.length === 0) {
  process.stderr.write(`${configPath}: no subgraphs\n`);
  process.exit(2);
}

const services = [];
for (const [name, subgraph] of entries) {
  // As in Rover, the routing URL defaults to the URL the SDL was read from.
  const url = subgraph.routing_url ?? subgraph.schema?.subgraph_url;
  if (typeof url !== "string" || url === "") {
    process.stderr.write(`${configPath}: subgraph ${name} has no routing_url\n`);
    process.exit(2);
  }
  const sdl = await readSubgraphSdl(name, subgraph.schema, dirname(configPath));
  services.push({ name, url, typeDefs: parse(sdl) });
}

const result = composeServices(services);
const errors = (result.errors ?? []).map((e) => ({
  code: e.extensions?.code ?? "UNKNOWN",
  message: e.message,
}));
const hints = (result.hints ?? []).map((h) => ({ code: h.definition.code, message: h.message }));

// process.exit() could cut a large write to a pipe short: set the exit code and let node end.
if (values.json) {
  const report = {
    ok: errors.length === 0,
    errors,
    hints,
    supergraphSdl: result.supergraphSdl ?? null,
    apiSchemaSdl: result.schema ? printSchema(result.schema.toAPISchema()) : null,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
} else {
  for (const hint of hints) {
    process.stderr.write(`hint ${hint.code}: ${hint.message}\n`);
  }
  for (const error of errors) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
  }
  if (errors.length > 0) {
    process.exitCode = 1;
  } else if (values.output) {
    await writeFile(values.output, result.supergraphSdl);
    process.stderr.write(`supergraph of ${services.length} subgraphs written to ${values.output}\n`);
  } else {
    process.stdout.write(result.supergraphSdl);
  }
}
