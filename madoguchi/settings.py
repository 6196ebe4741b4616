"""Settings, read once from the environment and `.env` in `main()` and passed down.

This is the only module that reads the process environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of madoguchi; see the README's operations section."""

    # Fields are read only through their aliases: populating by field name would also read
    # the environment by field name, and $HOME would set `home`.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    home: Path = Field(default=Path("var"), validation_alias="MADOGUCHI_HOME")
    database_url: str | None = Field(default=None, validation_alias="MADOGUCHI_DATABASE_URL")
    corpus_dir: Path = Field(default=REPO_ROOT / "data" / "corpus", validation_alias="MADOGUCHI_CORPUS_DIR")
    taxonomy_file: Path | None = Field(default=None, validation_alias="MADOGUCHI_TAXONOMY_FILE")
    max_message_chars: int = Field(default=4096, validation_alias="MADOGUCHI_MAX_MESSAGE_CHARS")
    capabilities_file: Path | None = Field(default=None, validation_alias="MADOGUCHI_CAPABILITIES_FILE")
    sla_working_days: int = Field(default=2, ge=1, le=30, validation_alias="MADOGUCHI_SLA_WORKING_DAYS")

    max_problem_chars: int = Field(default=3000, ge=100, validation_alias="MADOGUCHI_MAX_PROBLEM_CHARS")
    debug: bool = Field(default=False, validation_alias="MADOGUCHI_DEBUG")
    report_min_responses: int = Field(
        default=5, ge=1, le=1000, validation_alias="MADOGUCHI_REPORT_MIN_RESPONSES"
    )

    telegram_bot_token: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str | None = Field(default=None, validation_alias="TELEGRAM_API_BASE_URL")
    telegram_webhook_url: str | None = Field(default=None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_WEBHOOK_SECRET"
    )
    telegram_webhook_listen: str = Field(default="127.0.0.1", validation_alias="TELEGRAM_WEBHOOK_LISTEN")
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535, validation_alias="TELEGRAM_WEBHOOK_PORT")
    telegram_flood_limit: int = Field(default=20, ge=1, validation_alias="TELEGRAM_FLOOD_LIMIT")
    # Telegram's own limit for a bot is about 30 messages a second across all chats.
    telegram_max_rate: float = Field(default=30.0, gt=0, validation_alias="TELEGRAM_MAX_RATE")

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(default=None, validation_alias="SLACK_API_URL")
    slack_listen: str = Field(default="127.0.0.1", validation_alias="SLACK_LISTEN")
    slack_port: int = Field(default=3000, ge=1, le=65535, validation_alias="SLACK_PORT")
    dispatch_interval: float = Field(default=1.0, gt=0, le=60, validation_alias="MADOGUCHI_DISPATCH_INTERVAL")
    dispatch_backoff: float = Field(default=2.0, gt=0, le=600, validation_alias="MADOGUCHI_DISPATCH_BACKOFF")
    dispatch_lease: float = Field(default=120.0, ge=1, le=3600, validation_alias="MADOGUCHI_DISPATCH_LEASE")
    dispatch_max_backoff: float = Field(
        default=600.0, gt=0, le=3600, validation_alias="MADOGUCHI_DISPATCH_MAX_BACKOFF"
    )

    # the learning loop: the fixed split promotions are judged on, and how much worse is allowed
    eval_file: Path = Field(
        default=REPO_ROOT / "data" / "eval" / "unseen.jsonl", validation_alias="MADOGUCHI_EVAL_FILE"
    )
    promotion_tolerance: float = Field(
        default=0.01, ge=0, le=1, validation_alias="MADOGUCHI_PROMOTION_TOLERANCE"
    )
    model_check_interval: float = Field(
        default=2.0, gt=0, le=3600, validation_alias="MADOGUCHI_MODEL_CHECK_INTERVAL"
    )

    @property
    def models_dir(self) -> Path:
        """Where the model registry keeps its versions."""
        return self.home / "models"


def load_settings() -> Settings:
    """Build the settings from the environment and `.env` (call once, in `main()`)."""
    return Settings()
