"""ChatCart's HTTP service: REST API, WhatsApp gateway, merchant console, chat simulator.

Every process that imports any of it (the API, the WhatsApp worker, their tests) masks secrets
and phone numbers in its logs from here on: see `api.redaction`.
"""

from api import redaction

redaction.install()
