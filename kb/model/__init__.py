"""The records of a knowledge base, its container and its graph."""
