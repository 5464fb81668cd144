"""Reading vendor exports into the canonical intervals frame, the data store, data health."""
