"""Staffing: Erlang B/C/A, chat concurrency, deferred work, shrinkage — pure vectorised maths."""
