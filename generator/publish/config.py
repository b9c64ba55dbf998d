"""The site's settings, read from mkdocs.yml: its public URL."""

from __future__ import annotations

import os
from typing import Any

from generator.core import text
from generator.core.errors import UserError
from generator.core.project import Project


def resolve_site_url(project: Project, given: str | None) -> str:
    """--site-url, else $SITE_URL, else site_url in mkdocs.yml; always with a trailing slash."""
    return text.site_url(given or os.environ.get("SITE_URL") or _mkdocs_site_url(project))


def _mkdocs_config(project: Project) -> dict:
    import yaml

    try:
        data = yaml.safe_load(project.mkdocs_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"{project.mkdocs_file}: cannot read: {error}") from None
    return data if isinstance(data, dict) else {}


def _mkdocs_site_url(project: Project) -> str:
    return str(_mkdocs_config(project).get("site_url") or "")


def mkdocs_extra(project: Project) -> dict[str, Any]:
    """mkdocs.yml's `extra` mapping (empty when it has none)."""
    extra = _mkdocs_config(project).get("extra")
    return extra if isinstance(extra, dict) else {}
