"""Mail: templates → a frozen, fully rendered plan → a ledger → a transport."""
