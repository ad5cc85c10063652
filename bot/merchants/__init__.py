"""Who may run the shop through the API: API keys, stored only as hashes."""
