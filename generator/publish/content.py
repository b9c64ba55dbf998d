"""What the maintainer writes besides the snapshots and topics.yaml: the hand-written pages in
content/pages/, copied into the site as they are.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.core.errors import UserError, shown
from generator.core.project import Project


def hand_written_pages(project: Project) -> dict[str, bytes]:
    """content/pages/ as it is (about, snapshot format, ...), keyed by path below it.

    Only plain files are pages: a symbolic link could publish any file of the machine, so it stops the
    build. Hidden files (editor swap files, .DS_Store) are not pages; MkDocs leaves them out too.
    """
    root = project.pages_dir
    if root.is_symlink():
        raise UserError(f"{shown_in(project, root)}: is a symbolic link; hand-written pages must be a plain folder")
    files: dict[str, bytes] = {}
    if not root.is_dir():
        return files
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            _read_pages_folder(project, root, folder, files, pending)
        except OSError as error:  # unreadable: a maintainer's to fix, named in one line
            where = Path(error.filename) if error.filename else folder
            raise UserError(f"{shown_in(project, where)}: cannot read: {error.strerror or error}") from None
    return dict(sorted(files.items()))


def _read_pages_folder(project: Project, root: Path, folder: Path, files: dict[str, bytes],
                       pending: list[Path]) -> None:
    """One folder of hand-written pages into `files`; its subfolders onto `pending`."""
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                raise UserError(f"{shown_in(project, path)}: is a symbolic link; hand-written pages must be "
                                "plain files (copy the file in instead)")
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file(follow_symlinks=False):
                files[path.relative_to(root).as_posix()] = path.read_bytes()
            else:
                raise UserError(f"{shown_in(project, path)}: not a plain file; hand-written pages must be "
                                "plain files")


def shown_in(project: Project, path: Path) -> str:
    """A path as the person running the build knows it: relative to the project folder."""
    try:
        return shown(Path(path.relative_to(project.root).as_posix()))
    except ValueError:
        return shown(path)
