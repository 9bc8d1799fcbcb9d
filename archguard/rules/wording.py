"""Messages and hints speak the project's language: the package, schema base, settings
module, model base, roles and layers come from the configuration, never from cpv3.

A rule writes a placeholder (``{settings_module}``) in its hint or message; the engine fills
it in from the effective config when the finding is made. The documentation (``archguard
rules``, ``explain``, the README) fills it in from the defaults.
"""

from __future__ import annotations

import dataclasses
import re

from archguard.diagnostics import Diagnostic
from archguard.project.config import Config

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def layout_words(config: Config) -> dict[str, str]:
    """Placeholder -> its text for ``config``."""
    package = config.package
    settings = (config.settings_modules or
                [f"{package.replace('.', '/')}/infrastructure/settings.py"])[0]
    model_module = config.model_base.rpartition(".")[0] or package
    roles = config.roles
    return {
        "package": package,
        "package_dir": package.replace(".", "/"),
        "modules_dir": config.modules_dirs[0] if config.modules_dirs else package,
        "schema_base": config.schema_base,
        "schema_base_name": config.schema_base.rsplit(".", 1)[-1],
        "settings_module": settings,
        "settings_import": settings.removesuffix(".py").replace("/", "."),
        "model_base": config.model_base,
        "model_base_name": config.model_base.rsplit(".", 1)[-1],
        "model_mixin_name": config.model_mixin.rsplit(".", 1)[-1],
        "model_module": model_module,
        "db_layer": " or ".join(f"`{glob}`" for glob in config.db_layer_globs) or
                    f"`{package.replace('.', '/')}/db/`",
        "tasks_service": "/".join([
            config.modules_dirs[0] if config.modules_dirs else package, "tasks",
            (roles.expected("service", "tasks") or ("service.py",))[0]]),
        "shared_dir": (config.shared[0].rstrip("/*") + "/") if config.shared else
                      f"{package.replace('.', '/')}/infrastructure/",
        **{f"{role}_file": name or role for role, name in roles.files.items()},
    }


def fill(text: str, config: Config) -> str:
    """``text`` with every known placeholder replaced (unknown braces are left alone)."""
    if "{" not in text:
        return text
    words = layout_words(config)
    return _PLACEHOLDER.sub(lambda m: words.get(m.group(1), m.group(0)), text)


def worded(diagnostic: Diagnostic, config: Config) -> Diagnostic:
    """The diagnostic with its message and hint filled in from ``config``."""
    message, hint = fill(diagnostic.message, config), fill(diagnostic.hint, config)
    if message == diagnostic.message and hint == diagnostic.hint:
        return diagnostic
    return dataclasses.replace(diagnostic, message=message, hint=hint)


def default_hint(hint: str) -> str:
    """A hint as the documentation shows it: with the default layout."""
    return fill(hint, Config())
