"""Settings from flags or the environment (prefix ``PETITIONFLOW_``), read once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO = Path(__file__).resolve().parents[3]
DEFAULT_CHART = _REPO / "statecharts" / "petition.yaml"
DEFAULT_SUPERVISION_CHART = _REPO / "statecharts" / "supervision.yaml"
DEV_SECRET = "petitionflow-development-secret-change-me-0123456789"
# Where ``serve --demo`` keeps its random secret (in the working directory), for
# ``petitionflow token`` to read.
DEMO_SECRET_FILE = Path(".petitionflow-demo-secret")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PETITIONFLOW_", extra="forbid")

    database_url: str = "sqlite:///./petitionflow.db"
    statechart: Path = DEFAULT_CHART
    supervision_chart: Path = DEFAULT_SUPERVISION_CHART
    calendar_dir: Path | None = Field(
        default=None, description="Extra calendar override files (one TOML per year)."
    )
    rule_overlays: list[Path] = Field(
        default_factory=list,
        description="Local overlay files (TOML, format in rules.overlays): a province's "
        "variations on a national rule set, for the units listed in its `units` or, "
        "without them, for the whole deployment.",
    )
    # The constant is for tests and development only: ``petitionflow serve`` refuses to
    # start with it unless asked for --demo (a random secret) or development mode.
    jwt_secret: str = DEV_SECRET
    development: bool = Field(
        default=False,
        description="Allow `serve` to sign with the development secret from the source.",
    )
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_audience: str = "petitionflow"
    jwt_issuer: str = "petitionflow"
    token_ttl_seconds: int = Field(default=8 * 3600, ge=60)
    clock: Literal["system", "simulated"] = "system"
    simulated_start: str | None = None
    scheduler: bool = True
    sweep_interval_seconds: float = Field(default=30.0, gt=0)
    sweep_batch: int = Field(default=500, ge=1, le=10000)
    # On SQLite, a storm of at least sweep_parallel_from due matters is decided in
    # sweep_workers worker processes while this one writes (workflow.timers.workers);
    # 0 workers turns that off.
    sweep_workers: int = Field(default=2, ge=0, le=32)
    sweep_parallel_from: int = Field(default=10_000, ge=1)
    warning_days: int = Field(default=3, ge=0, le=30)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_page_size: int = Field(default=200, ge=1, le=1000)
    # Per principal; 0 per minute turns a class off (see api.limits and RELIABILITY.md).
    rate_limit_heavy_per_minute: int = Field(default=30, ge=0)
    rate_limit_heavy_burst: int = Field(default=20, ge=1)
    rate_limit_reads_per_minute: int = Field(default=600, ge=0)
    rate_limit_reads_burst: int = Field(default=200, ge=1)
    # The public routes (query code, no token: docs/self-service.md), per matter number
    # and per client address; every attempt counts, right or wrong.
    rate_limit_public_number_per_minute: int = Field(default=5, ge=1)
    rate_limit_public_number_burst: int = Field(default=10, ge=1)
    rate_limit_public_address_per_minute: int = Field(default=30, ge=1)
    rate_limit_public_address_burst: int = Field(default=60, ge=1)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_json: bool = True
    # Supervision policy (not law: each province sets its own; see docs/supervision.md).
    backlog_age_days: int = Field(default=180, ge=1, le=3650)
    backlog_repeats: int = Field(default=2, ge=1, le=100)
    evaluation_window_days: int = Field(default=30, ge=1, le=365)
    petitioner_key_secret: str | None = Field(
        default=None, description="HMAC key for repeat-petition matching; jwt_secret if unset."
    )

    @field_validator("jwt_secret")
    @classmethod
    def _secret_long_enough(cls, value: str) -> str:
        if len(value) < 32:
            raise ValueError("jwt_secret must be at least 32 characters")
        return value

    @property
    def secret_configured(self) -> bool:
        """Whether the signing secret was given (flag, environment), not the default."""
        return "jwt_secret" in self.model_fields_set
