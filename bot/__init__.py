"""ChatCart's framework-free core: catalog, text, parsing, cart, orders, payments, storage."""
