// Reading subgraph SDL as Rover's supergraph config names it: a file, or a running subgraph.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

const SERVICE_SDL_QUERY = "query SubgraphSdl { _service { sdl } }";

/** The SDL a running subgraph serves in `_service { sdl }`. */
export async function fetchSubgraphSdl(url, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: SERVICE_SDL_QUERY }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  if (!response.ok) {
    throw new Error(`${url} answered HTTP ${response.status}: ${body.slice(0, 300)}`);
  }
  const result = JSON.parse(body);
  const sdl = result?.data?._service?.sdl;
  if (typeof sdl !== "string") {
    throw new Error(`${url} has no _service { sdl }: ${body.slice(0, 300)}`);
  }
  return sdl;
}

/** One subgraph entry of the config: `{ file }` (relative to `baseDir`) or `{ subgraph_url }`. */
export async function readSubgraphSdl(name, schema, baseDir) {
  if (schema?.file) {
    return readFile(resolve(baseDir, schema.file), "utf8");
  }
  if (schema?.subgraph_url) {
    return fetchSubgraphSdl(schema.subgraph_url);
  }
  throw new Error(`subgraph ${name}: schema needs "file" or "subgraph_url"`);
}
