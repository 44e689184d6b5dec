// A second, small subgraph (@apollo/subgraph): reviews of the catalog's ML models and tables.
//
//   node reviews/server.mjs [--data reviews.json] [--host 127.0.0.1] [--port 4001]
//
// It extends `MlModel` (key `id`) and `Table` (key `fullyQualifiedName`) with reviews, and
// returns models, tables and users as references that the catalog subgraph resolves.
// Reviews are read once from --data: {"reviews": [{"id", "rating", "body",
// "authorId"?, "modelId"?, "tableFqn"?}]}; without it there are none.
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { GraphQLError, parse } from "graphql";

import { serve } from "../lib/serve.mjs";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "4001" },
  },
});

const here = dirname(fileURLToPath(import.meta.url));
const typeDefs = parse(await readFile(join(here, "schema.graphql"), "utf8"));
const reviews = values.data ? JSON.parse(await readFile(values.data, "utf8")).reviews : [];
const MAX_PAGE = 100;

function page(first, after) {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw new GraphQLError(`\`first\` must be between 0 and ${MAX_PAGE}.`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  let start = 0;
  if (after != null) {
    const index = reviews.findIndex((r) => r.id === after);
    if (index < 0) {
      throw new GraphQLError("Unknown cursor.", { extensions: { code: "BAD_USER_INPUT" } });
    }
    start = index + 1;
  }
  const nodes = reviews.slice(start, start + first);
  return {
    nodes,
    totalCount: reviews.length,
    pageInfo: {
      hasNextPage: start + nodes.length < reviews.length,
      hasPreviousPage: start > 0,
      startCursor: nodes.length ? nodes[0].id : null,
      endCursor: nodes.length ? nodes[nodes.length - 1].id : null,
    },
  };
}

const ofModel = (id) => reviews.filter((r) => r.modelId === id);
const ofTable = (fqn) => reviews.filter((r) => r.tableFqn === fqn);

const resolvers = {
  Query: {
    reviews: (_, { first, after }) => page(first, after),
    review: (_, { id }) => reviews.find((r) => r.id === id) ?? null,
  },
  Review: {
    __resolveReference: ({ id }) => reviews.find((r) => r.id === id) ?? null,
    author: (review) => (review.authorId ? { id: review.authorId } : null),
    model: (review) => (review.modelId ? { id: review.modelId } : null),
    table: (review) => (review.tableFqn ? { fullyQualifiedName: review.tableFqn } : null),
  },
  MlModel: {
    __resolveReference: ({ id }) => ({ id }),
    reviews: ({ id }) => ofModel(id),
    averageRating: ({ id }) => {
      const ratings = ofModel(id).map((r) => r.rating);
      return ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null;
    },
  },
  Table: {
    __resolveReference: ({ fullyQualifiedName }) => ({ fullyQualifiedName }),
    reviews: ({ fullyQualifiedName }) => ofTable(fullyQualifiedName),
  },
};

await serve(
  "reviews subgraph",
  {
    schema: buildSubgraphSchema({ typeDefs, resolvers }),
    // No usage reporting is configured anywhere, so no router asks for traces.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  },
  { host: values.host, port: values.port },
);
