"""Cross-record checks, their registry, and the one entry point that loads and checks a KB."""
