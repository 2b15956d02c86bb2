"""Rendering results: console tables, files for Excel, mail."""
