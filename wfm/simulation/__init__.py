"""Simulation: sample contact-centre data and queueing simulations used as references."""
