"""GraphQL gateway over an OpenMetadata catalog and a Foundry model registry."""

__version__ = "0.1.0"
