"""Pipeline: composes ingest -> forecast -> staff -> schedule -> outputs from a Config."""
