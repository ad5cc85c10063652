"""One settings object for every process, read from the environment (and `.env`)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = Field(default="development", description="development | test | production")
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'chatcart.db'}"
    default_shop_slug: str = "default"
    default_shop_name: str = "ChatCart Kirana"
    catalog_path: Path = PROJECT_ROOT / "data" / "catalog"

    # Resolver: below this confidence a line is `unmatched`; ambiguity margin in score points.
    match_threshold: float = 0.62
    ambiguity_margin: float = 0.04
    max_message_chars: int = 4096
    max_lines_per_message: int = 50


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
