"""The static site: the Jinja environment, the pages and the argument maps."""
