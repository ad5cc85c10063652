"""Orders: checkout from a cart, the order's life from payment to the door, and its history."""
