"""Campaigns: entries, draws and awards."""
