"""Conalep's settings: environment variables (``CONALEP_*``) or a TOML file (``CONALEP_CONFIG``).

With nothing configured it runs in development mode on an SQLite file ``conalep.db`` in
``CONALEP_DATA_DIR`` (default ``./conalep-data``). Outside development mode it refuses to start
with the development secret: a production server must never sign its session cookies with a
secret printed in this repository.

>>> s = ConalepSettings(_env_file=None, data_dir=Path("/tmp/x"))
>>> s.mode, s.database_url
('development', 'sqlite:////tmp/x/conalep.db')
>>> s.corte_weights, s.passing_grade
((0.3, 0.3, 0.4), 6.0)
>>> ConalepSettings.load(mode="production", secret_key="x" * 30).mode
'production'
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from foundation.server_settings import ServerSettings

DEV_SECRET = "desarrollo-conalep-no-usar-en-produccion"
"""The session secret of development mode. Production refuses it."""


class ConalepSettings(ServerSettings):
    database_file = "conalep.db"
    model_config = SettingsConfigDict(env_prefix="CONALEP_", extra="forbid")

    data_dir: Path = Path("conalep-data")
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    """Signs the staff pages' session cookies and CSRF tokens (a key is derived from it)."""
    port: int = Field(default=8760, ge=1, le=65535)
    max_scan_bytes: int = Field(default=5 * 1024 * 1024, ge=64 * 1024)
    """Limit of the tutor's written request (a scan) attached to a baja (format F04)."""
    passing_grade: float = Field(default=6.0, ge=0, le=10)
    """Norm 10: a module grade below this fails."""
    corte_weights: tuple[float, float, float] = (0.3, 0.3, 0.4)
    """Weight of cortes 1, 2, 3 in the weighted progress (docs/conalep.md); they sum to 1."""
    risk_min_failing: int = Field(default=2, ge=1, le=20)
    """A student failing at least this many modules in a corte is at risk."""
    risk_below_progress: float = Field(default=6.0, ge=0, le=10)
    """A student whose weighted progress so far is below this is at risk."""
    privacy_access_days: int = Field(default=730, ge=30, le=36500)
    """The access record (who read which student's data) is kept this many days, then purged
    (docs/privacy.md)."""
    privacy_dropout_days: int = Field(default=1095, ge=30, le=36500)
    """A drop-out's personal follow-up data (tutor's name, details and scan of the F04,
    Psicopedagogía's notes, tutoring and meeting mentions) is purged this many days after the
    baja; the baja itself (date, type, reason code) and the grades stay."""
    privacy_graduate_days: int = Field(default=365, ge=30, le=36500)
    """The same for a graduate, counted from the release of their certificate; the
    certificate's record and the grades stay (docs/privacy.md)."""

    @field_validator("corte_weights")
    @classmethod
    def _weights_sum_to_one(cls, value: tuple[float, float, float]
                            ) -> tuple[float, float, float]:
        if any(w < 0 for w in value) or abs(sum(value) - 1.0) > 1e-9:
            raise ValueError("los pesos de los tres cortes deben ser positivos y sumar 1")
        return value

    def refusals(self) -> list[str]:
        """Why these settings must not run in production (empty when all is set)."""
        secret = self.secret_refusal("secret_key")
        return [secret] if secret else []

