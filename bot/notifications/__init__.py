"""Messages to shoppers, written to a durable outbox that the WhatsApp gateway drains."""
