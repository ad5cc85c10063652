"""The WhatsApp simulator (development only): a chat page that posts signed Cloud API webhooks
to the gateway, and a capture endpoint standing in for the Graph API."""
