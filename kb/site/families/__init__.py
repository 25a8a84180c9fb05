"""The built-in page families, one module per kind of page (`kb.site.builtin` registers them)."""
