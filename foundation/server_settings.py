"""Where the servers' settings come from (central, conalep): keyword arguments, then
environment variables with the program's prefix, then the TOML file named by the program's
``…_CONFIG`` variable. Nothing else (no ``.env`` file, no secrets directory)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, TomlConfigSettingsSource


class ServerSettings(BaseSettings):
    """Base of a server's settings; ``config_variable`` names its TOML file's variable."""

    config_variable: ClassVar[str] = ""
    mode: Literal["development", "production"] = "development"
    """``production`` refuses development secrets (each program's ``refusals``)."""
    host: str = "127.0.0.1"

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get(cls.config_variable) if cls.config_variable else None
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)
