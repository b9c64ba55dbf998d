"""What mkdocs.yml says, read once, by MkDocs' own loader (so `!ENV` tags and every check MkDocs makes
apply): the archive's settings (the `dailypapers` plugin's options, publish/mkdocs_plugin.py), the
site's public URL, its `extra` mapping, and MkDocs' config itself, which the build then runs MkDocs with.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from generator.core import text
from generator.core.errors import UserError, one_line
from generator.core.project import Project
from generator.core.settings import Settings

PLUGIN = "dailypapers"  # its name in mkdocs.yml's `plugins` (an entry point of this package)


@dataclass(frozen=True)
class SiteConfig:
    """mkdocs.yml as the build uses it. `site_url` is absolute with a trailing slash: --site-url, else
    $SITE_URL, else mkdocs.yml's `site_url`. `mkdocs` is MkDocs' loaded config (an MkDocsConfig)."""

    settings: Settings
    site_url: str
    extra: Mapping[str, Any]
    mkdocs: Any
    warnings: tuple[str, ...] = ()
    """What MkDocs warned of in mkdocs.yml (an option it does not know: a typo?), one line each."""


PLACEHOLDER_HOST = "example.github.io"
"""The host of the site_url mkdocs.yml ships with, so that a fresh clone builds: a build for it says so."""


def read_config(project: Project, site_url: str | None = None) -> SiteConfig:
    """Load mkdocs.yml once; a mistake in it is one UserError naming the key (MkDocs' own message)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    errors = _ConfigErrors()
    logger = logging.getLogger("mkdocs.config")
    logger.addHandler(errors)  # MkDocs logs what is wrong, then aborts
    logger.propagate = False  # and nothing else shows it: it is told in our lines
    # MkDocs insists that docs_dir exists, and the build makes it only once nothing can stop it: until then
    # (a fresh clone, a project whose build stopped early) an empty folder of its own stands in.
    stand_in = None if project.docs_dir.is_dir() else tempfile.mkdtemp(prefix="dailypapers-docs-")
    try:
        config = load_config(config_file=str(project.mkdocs_file), docs_dir=stand_in or str(project.docs_dir))
        config["docs_dir"] = str(project.docs_dir)
    except MkDocsException as error:
        what = errors.first or " ".join(str(error).split())
        raise UserError(f"{project.mkdocs_file.name}: {what}") from None
    except OSError as error:
        raise UserError(f"{project.mkdocs_file}: cannot read: {error.strerror or error}") from None
    finally:
        logger.removeHandler(errors)
        logger.propagate = True
        if stand_in:
            os.rmdir(stand_in)
    plugin = config.plugins.get(PLUGIN)
    if plugin is None:
        raise UserError(f"{project.mkdocs_file.name} does not list the {PLUGIN} plugin: add `plugins: "
                        f"[{PLUGIN}]` (it writes permalinks, feeds and the search index into the site)")
    url = text.site_url(site_url or os.environ.get("SITE_URL") or config.site_url or "")
    warnings = tuple(f"{project.mkdocs_file.name}: {line}" for line in errors.warnings)
    if urlsplit(url).hostname == PLACEHOLDER_HOST:
        warnings += (f"the site's URL is the placeholder {url}: feeds, the Data page and canonical links point "
                     f"there. Set your site's site_url in {project.mkdocs_file.name}, or pass --site-url (the "
                     "daily workflow passes GitHub Pages' URL; `dailypapers serve` uses its own address)",)
    return SiteConfig(plugin.settings(config.site_name), url, dict(config.extra), config, warnings)


class _ConfigErrors(logging.Handler):
    """What MkDocs logs while loading its config: the first error (`Config value 'theme': ...`) and every
    warning, one line each (they would otherwise reach stderr bare, from Python's last-resort handler)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.first = ""
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = one_line(record.getMessage(), 300)
        if record.levelno >= logging.ERROR:
            self.first = self.first or line
        else:
            self.warnings.append(line)
