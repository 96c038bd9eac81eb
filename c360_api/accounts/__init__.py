"""User accounts: registration, password login, bearer tokens."""
