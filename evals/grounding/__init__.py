"""How good is the grounding checker: planted fabrications in real sentences (and labelled sets)."""
