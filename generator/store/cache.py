"""The cache of converted snapshots: signed JSON entries keyed by each snapshot's hash, so a rebuild
parses only the days that changed, and no entry a checkout brings (or anyone edits) is ever used.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from generator.store import safe_yaml
from generator.store.files import DIR_FLAGS

CACHE_VERSION = "2"


def _open_folder_chain(folder: Path, create: bool) -> int | None:
    """An fd of `folder`, opened one component at a time from / without following any symlink, so a
    crafted `.cache` link can never send reads or writes elsewhere. None when that is not possible."""
    if not folder.is_absolute():
        return None
    fd = os.open("/", DIR_FLAGS)
    try:
        for part in folder.parts[1:]:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o700, dir_fd=fd)
            next_fd = os.open(part, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = next_fd
    except OSError:
        os.close(fd)
        return None
    return fd


def machine_key(key_file: Path) -> bytes | None:
    """This machine's secret for signing cache entries (created on first use, mode 0600), or None when
    it cannot be had: then nothing is cached. It lives outside the repository, so no entry that arrives
    with a checkout, or is edited in place, can carry a valid signature."""
    folder = _open_folder_chain(key_file.parent, create=True)
    if folder is None:
        return None
    try:
        try:
            fd = os.open(key_file.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
        try:
            fd = os.open(key_file.name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or info.st_uid != os.getuid():
                return None
            key = os.read(fd, 64)
        finally:
            os.close(fd)
        return key if len(key) >= 32 else None
    finally:
        os.close(folder)


class SnapshotCache:
    """Converted snapshots as signed JSON entries, keyed by the SHA-256 of the snapshot's bytes plus a
    salt (the code and data the converted form depends on).

    An entry is used only when its HMAC, made with this machine's key, matches: a committed, copied or
    edited entry is a cache miss, never a result. JSON holds only data, unlike the pickles this cache
    used before, which could run code. Values must be JSON data (tuples come back as lists).
    """

    def __init__(self, folder: Path | None, salt: str = "", key_file: Path | None = None):
        self.folder = folder
        self.salt = (CACHE_VERSION + "\0" + salt).encode()
        self.key = machine_key(key_file) if folder is not None and key_file is not None else None
        self._fd: int | None = None

    def __enter__(self) -> SnapshotCache:
        if self.folder is not None and self.key is not None:
            self._fd = _open_folder_chain(self.folder, create=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _name(self, raw: bytes) -> str:
        return hashlib.sha256(self.salt + b"\0" + raw).hexdigest()

    def _mac(self, name: str, payload: bytes) -> bytes:
        assert self.key is not None
        return hmac.new(self.key, name.encode() + b"\n" + payload, hashlib.sha256).hexdigest().encode()

    def get(self, raw: bytes) -> Any | None:
        if self._fd is None:
            return None
        name = self._name(raw)
        try:
            entry = safe_yaml.read_regular_file(f"{name}.json", dir_fd=self._fd, limit=4 * safe_yaml.MAX_BYTES)
        except safe_yaml.InputProblem:
            return None
        mac, _, payload = entry.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(name, payload)):
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return None

    def put(self, raw: bytes, value: Any) -> None:
        if self._fd is None:
            return
        name = self._name(raw)
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        tmp = f".{name}.{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                         dir_fd=self._fd)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._mac(name, payload) + b"\n" + payload)
            os.replace(tmp, f"{name}.json", src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self._fd)
