"""A shopper's cart: lines of packs, priced from the catalog every time it is looked at."""
