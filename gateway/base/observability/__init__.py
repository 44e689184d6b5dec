"""Metrics, tracing and logs: per request and per upstream call, never per field."""
