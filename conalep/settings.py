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
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from foundation.server_settings import ServerSettings

DEV_SECRET = "desarrollo-conalep-no-usar-en-produccion"
"""The session secret of development mode. Production refuses it."""
MIN_SECRET_CHARS = 24


class SettingsRefused(Exception):
    """Conalep must not start with these settings; the message says why, in Spanish."""


class ConalepSettings(ServerSettings):
    config_variable = "CONALEP_CONFIG"
    model_config = SettingsConfigDict(env_prefix="CONALEP_", extra="forbid")

    data_dir: Path = Path("conalep-data")
    database_url: str = ""
    """SQLAlchemy URL; empty means ``sqlite:///<data_dir>/conalep.db``."""
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    """Signs the staff pages' session cookies and CSRF tokens (a key is derived from it)."""
    port: int = Field(default=8760, ge=1, le=65535)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    """Limit of one SAE upload on the import page."""
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

    @field_validator("corte_weights")
    @classmethod
    def _weights_sum_to_one(cls, value: tuple[float, float, float]
                            ) -> tuple[float, float, float]:
        if any(w < 0 for w in value) or abs(sum(value) - 1.0) > 1e-9:
            raise ValueError("los pesos de los tres cortes deben ser positivos y sumar 1")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> ConalepSettings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'conalep.db').resolve()}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def refusals(self) -> list[str]:
        """Why these settings must not run (empty in development mode or when all is set)."""
        if self.mode == "development":
            return []
        secret = self.secret_key.get_secret_value()
        if secret == DEV_SECRET:
            return ["CONALEP_SECRET_KEY tiene el valor de desarrollo; defina uno propio"]
        if len(secret) < MIN_SECRET_CHARS:
            return [f"CONALEP_SECRET_KEY debe tener al menos {MIN_SECRET_CHARS} caracteres"]
        return []


def load_settings(**overrides: object) -> ConalepSettings:
    """Settings from the environment and ``CONALEP_CONFIG``; :class:`SettingsRefused` when
    unsafe.

    >>> load_settings(mode="production", secret_key="x" * 30).mode
    'production'
    """
    try:
        settings = ConalepSettings(**overrides)  # type: ignore[arg-type]
    except (ValueError, OSError) as exc:
        raise SettingsRefused(f"Los ajustes de conalep no son válidos: {exc}") from exc
    problems = settings.refusals()
    if problems:
        raise SettingsRefused("Conalep no arranca en modo producción: " + "; ".join(problems)
                              + ".")
    return settings
