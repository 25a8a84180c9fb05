"""The `kb` subcommands, one module per group; `kb.cli` adds them to its command group."""
