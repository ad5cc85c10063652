"""Request and response bodies of the REST API (Pydantic), built from `bot/`'s records."""
