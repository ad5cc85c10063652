"""A shopper's rights under India's DPDP Act 2023, in one place for every channel that asks:

- `consent`: STOP / START — no messages but replies and order notices while opted out;
- `erasure`: "delete my data" — personal data erased, orders kept for accounting under a keyed
  hash of the number (`pseudonym`);
- `retention`: conversation text older than `CONVERSATION_RETENTION_DAYS` deleted;
- `tracker`: the same for the conversations Rasa's SQL tracker store keeps.

The WhatsApp gateway, `chatcart shopper …` and the merchant console all call these functions.
"""
