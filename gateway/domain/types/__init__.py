"""GraphQL object types, one domain noun per module."""
