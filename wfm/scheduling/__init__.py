"""Scheduling: multi-skill roster optimisation with OR-Tools and an independent rule checker."""
