"""The shop's own answers: FAQs the merchant writes, and where the shop delivers."""
