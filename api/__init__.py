"""ChatCart's HTTP service: REST API, WhatsApp gateway, merchant console, chat simulator."""
