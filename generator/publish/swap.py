"""Put a finished site in place of the previous one in one step, so site/ is always a whole site.

A build writes into a fresh sibling folder, `site.new-<pid>` next to site/ (same file system, so a
rename never copies), and only a complete build is swapped in:

- On Linux, `renameat2(RENAME_EXCHANGE)` exchanges the two folders atomically: at every instant
  site/ is either the whole old site or the whole new one, and `dailypapers serve`, which resolves
  site/ by path on each request, never finds it missing. The old site, now at the sibling's name,
  is then removed.
- Where the exchange is unavailable (another OS, a file system that refuses it), two renames:
  site -> `site.old-<pid>`, new -> site. A kill between them leaves no site/ but a whole
  `site.old-<pid>`, which the next build renames back before anything else.

A killed build leaves its sibling folders behind; `clean_stale` removes those whose process is gone,
and never touches the folders of a build that is still running.

One build of a project runs at a time (`BuildLock`): two at once (a `dailypapers serve` rebuilding while
`dailypapers build` runs, say) would write the same generated pages and staging folders.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
from pathlib import Path

from generator.core.errors import UserError
from generator.core.project import flock_within

_NEW = ".new-"
_OLD = ".old-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_dir(site_dir: Path, pid: int | None = None) -> Path:
    """The sibling folder this process builds into."""
    return site_dir.with_name(f"{site_dir.name}{_NEW}{os.getpid() if pid is None else pid}")


def _owner(path: Path, site_dir: Path) -> int | None:
    """The pid in a `site.new-<pid>` or `site.old-<pid>` name, None for any other name."""
    for marker in (_NEW, _OLD):
        prefix = site_dir.name + marker
        rest = path.name[len(prefix):]
        if path.name.startswith(prefix) and rest.isascii() and rest.isdigit():  # "²" is a digit, not a pid
            return int(rest)
    return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


def clean_stale(site_dir: Path) -> list[Path]:
    """Remove what killed builds left next to site/; returns what was removed.

    If site/ is missing and a killed swap left the previous site as `site.old-<pid>`, that folder is
    renamed back to site/ first, so the last good site is never lost.
    """
    parent = site_dir.parent
    if not parent.is_dir():
        return []
    stale = sorted(p for p in parent.iterdir()
                   if (pid := _owner(p, site_dir)) is not None and not _alive(pid) and not p.is_symlink())
    if not site_dir.exists():
        for path in stale:
            if _OLD in path.name[len(site_dir.name):]:
                os.rename(path, site_dir)
                stale.remove(path)
                break
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def swap_in(new: Path, site_dir: Path) -> None:
    """Make the finished build `new` the site/ folder and remove the previous site."""
    if not site_dir.exists() and not site_dir.is_symlink():
        os.rename(new, site_dir)
        return
    if _exchange(new, site_dir):
        shutil.rmtree(new, ignore_errors=True)  # what is left is removed by the next build's clean_stale
        return
    old = site_dir.with_name(f"{site_dir.name}{_OLD}{os.getpid()}")
    os.rename(site_dir, old)
    try:
        os.rename(new, site_dir)
    except OSError:
        os.rename(old, site_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


class BuildBusy(UserError):
    """Another build of the project holds its BuildLock."""


class BuildLock:
    """An exclusive lock on the project folder, held from loading the snapshots until the site is in
    place (`PreparedBuild.close`).

    `flock` on the folder itself: no lock file to leave behind or to keep out of git, and the kernel
    releases it when the process dies, however it dies, so a killed build never blocks the next one.
    Forked children share it until they end, so a build waits up to `WAIT` seconds for one that is
    ending (the children of a killed build die a moment after it) before it gives up in one line.
    """

    WAIT = 10.0

    def __init__(self, folder: Path) -> None:
        try:
            self._fd: int | None = os.open(folder, os.O_RDONLY)
        except OSError as error:
            raise UserError(f"cannot open the project folder {folder}: {error.strerror or error}") from None
        try:
            taken = flock_within(self._fd, self.WAIT)
        except OSError:  # a file system without locks (some network mounts): build unguarded, as before
            self.release()
            return
        except BaseException:  # Ctrl-C while waiting
            self.release()
            raise
        if not taken:
            self.release()
            raise BuildBusy(f"another build of {folder} is running: wait for it to end, then build again")

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
