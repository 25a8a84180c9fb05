"""Read the YAML files of a knowledge base into typed, located records."""
