"""The GraphQL layer: schema assembly, the executor, the cost, depth and alias limits and the
per-operation observer. It turns the domain's types and resolvers into a schema that runs."""
