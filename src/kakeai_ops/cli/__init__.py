"""The command line: Typer glue over the core functions."""
