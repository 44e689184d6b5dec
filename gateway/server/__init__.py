"""The server layer: the command line, serving, the GraphQL-over-HTTP view, the playground,
persisted queries, and `app.py`, the composition root that wires every layer together."""
