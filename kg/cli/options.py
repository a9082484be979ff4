"""Options shared by several commands, and how they become :class:`Settings`.

Each option falls back to its ``KG_*`` environment variable, then to the
default declared in :mod:`kg.settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from kg.settings import SETTINGS, Settings

_HELP = {s.name: s for s in SETTINGS}


def setting_option(name: str, *flags: str, **kwargs: Any) -> Callable:
    """A click option for a declared setting (default None: the setting decides)."""
    setting = _HELP[name]
    flags = flags or ("--" + name.replace("_", "-"),)
    help_text = f"{setting.help} [env {setting.env}; default {setting.default!r}]"
    return click.option(*flags, name, default=None, help=help_text, **kwargs)


def settings_from(**values: Any) -> Settings:
    """Settings from the command's option values (None means: not given)."""
    return Settings.load({k: v for k, v in values.items() if v is not None})
