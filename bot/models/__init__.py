"""Trained assistant models: the registry that says which one serves shoppers, the gate a
candidate must pass to replace it, and the engine's HTTP API that loads it."""
