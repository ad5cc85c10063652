"""Taking payment: a provider interface (the sandbox UPI gateway, Razorpay payment links),
the payments ledger and the webhook handling that turns provider events into paid orders."""
