"""The click command-line interface: a thin skin over the library."""
