"""Reading and canonicalising the service's three exports (users, pairs, meetings)."""
