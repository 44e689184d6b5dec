"""The domain: the GraphQL types, root queries and mutations of the catalog and registry, the
per-request context, DataLoaders, input validation and selection pushdown. It reads the
upstreams through `gateway.upstream` and knows nothing of HTTP serving or of the executor."""
