"""Archive files in the data dir — the server's only tarfile/gzip code.

Uploads are written by streaming into ``DIR/tmp/<random>.part`` (hashing and counting as they go,
never holding the archive in memory), fsynced, and only then moved into
``DIR/archives/<kind>/<id>/<random>.tar.gz`` with ``os.replace``; the database row is updated
after that, in one transaction. A crash at any point therefore leaves either the old state or the
new one: a leftover ``.part`` file (removed on the next start) or a moved file no row points to
(also removed on the next start), never a half-written archive that the API would hand out.

Run archives are checked while they stream in: they must be one complete, CRC-valid gzip stream
whose content starts with a tar header. The check inflates every byte on a thread of its own
(:class:`BackgroundCheck`), so receiving, hashing and writing the upload overlap with it. The
server never unpacks run archives, so their members are not inspected here (the client unpacks
safely). Submission bundles are unpacked by :func:`safe_extract` for the checker, with
``tarfile``'s "data" filter rules applied by hand so they hold on every Python >= 3.10.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import secrets
import shutil
import stat
import tarfile
import threading
import zlib
from pathlib import Path, PurePosixPath

from isal import isal_zlib

CHUNK = 1 << 20
# Output bound per inflate call. 1 MiB made zlib spend ~4 s per GiB on stored (incompressible)
# archives; 8 MiB costs 0.3 s and still bounds memory. The inflater is ISA-L's (python-isal):
# about twice zlib's speed, and checking every byte of a GB upload is most of the server's work.
INFLATE_PIECE = 8 << 20
TAR_BLOCK = 512
# Pieces of an upload queued for its background check (~1 MiB each: app.WRITE_BATCH); bounds
# the memory one upload holds when the check falls behind the network.
CHECK_QUEUE = 8


class ArchiveRejected(Exception):
    """An upload that is not an acceptable archive; ``str(err)`` is the client's ``detail``."""


class GzipTarCheck:
    """Feed it the bytes of an upload; it raises ArchiveRejected unless they form a gzip'd tar."""

    def __init__(self) -> None:
        self._inflater = isal_zlib.decompressobj(wbits=31)
        self._head = bytearray()
        self._started = False

    def feed(self, data: bytes) -> None:
        while data:
            if self._inflater.eof:
                # Concatenated gzip members are still one valid .gz file; anything else is junk.
                if not data.startswith(b"\x1f\x8b"[: len(data)]):
                    raise ArchiveRejected("archive has trailing data after the gzip stream")
                self._inflater = isal_zlib.decompressobj(wbits=31)
            try:
                out = self._inflater.decompress(data, INFLATE_PIECE)
            except isal_zlib.error as err:
                raise ArchiveRejected(f"archive is not a valid .tar.gz (gzip: {err})") from err
            self._started = True
            if len(self._head) < TAR_BLOCK:
                self._head += out[: TAR_BLOCK - len(self._head)]
                if len(self._head) == TAR_BLOCK:
                    self._check_tar_header()
            if self._inflater.unconsumed_tail:
                data = self._inflater.unconsumed_tail
            elif self._inflater.eof:
                data = self._inflater.unused_data
            else:
                data = b""

    def finish(self) -> None:
        if not self._started:
            raise ArchiveRejected("archive is empty")
        if not self._inflater.eof:
            raise ArchiveRejected("archive is truncated: the gzip stream does not end")
        if len(self._head) < TAR_BLOCK:
            raise ArchiveRejected("archive is not a tar file (content shorter than one header)")

    def _check_tar_header(self) -> None:
        try:
            tarfile.TarInfo.frombuf(bytes(self._head), "utf-8", "surrogateescape")
        except tarfile.HeaderError as err:
            raise ArchiveRejected(f"archive is gzip but not a tar file ({err})") from err


class BackgroundCheck:
    """A :class:`GzipTarCheck` on a thread of its own, fed through a bounded queue.

    ``feed`` raises the check's refusal as soon as the thread has found it (one piece later
    than an inline check would); ``finish`` waits for every piece and raises it at the latest.
    After a refusal, or once the upload is abandoned, the thread drains the queue unchecked, so
    neither ``feed`` nor ``abandon`` waits for inflating.
    """

    def __init__(self) -> None:
        self._check = GzipTarCheck()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=CHECK_QUEUE)  # None: end
        # What the check raised: a refusal, or (never expected) anything else, kept so that the
        # thread lives on draining the queue and no feeder ever waits on a dead thread.
        self._error: Exception | None = None
        self._abandoned = False
        self._thread = threading.Thread(target=self._run, name="upload-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (piece := self._queue.get()) is not None:
            if self._error is None and not self._abandoned:
                try:
                    self._check.feed(piece)
                except Exception as err:  # noqa: BLE001 - re-raised to the feeder by feed/finish
                    self._error = err

    def feed(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        if data:
            self._queue.put(data)

    def finish(self) -> None:
        """Every piece is fed: wait for the verdict (raises ArchiveRejected)."""
        self._end()
        if self._error is not None:
            raise self._error
        self._check.finish()

    def abandon(self) -> None:
        """End the thread without checking what is still queued (idempotent)."""
        self._abandoned = True
        self._end()

    def _end(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


class Upload:
    """One archive being received: write chunks, then ``commit()`` or ``discard()``."""

    def __init__(self, data_dir: Path, kind: str, object_id: str, *, check_gzip_tar: bool):
        self.data_dir = data_dir
        self.object_id = object_id
        self.tmp_path = data_dir / "tmp" / f"{secrets.token_hex(8)}.part"
        self.relpath = f"archives/{kind}/{object_id}/{secrets.token_hex(8)}.tar.gz"
        self.size = 0
        self._hash = hashlib.sha256()
        self._check = BackgroundCheck() if check_gzip_tar else None
        self._file = open(self.tmp_path, "xb")  # noqa: SIM115 - closed in finish()/discard()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def write(self, chunk: bytes) -> None:
        if self._check is not None:
            self._check.feed(chunk)
        self._file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def finish(self) -> None:
        """All bytes are in: validate the archive and make the temporary file durable."""
        if self._check is not None:
            self._check.finish()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def commit(self) -> str:
        """Move the finished file into place; returns its path relative to the data dir."""
        final = self.data_dir / self.relpath
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.tmp_path, final)
        _fsync_dir(final.parent)
        return self.relpath

    def discard(self) -> None:
        if self._check is not None:
            self._check.abandon()
        self._file.close()
        self.tmp_path.unlink(missing_ok=True)


class BlobStore:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        (data_dir / "tmp").mkdir(parents=True, exist_ok=True)
        (data_dir / "archives").mkdir(parents=True, exist_ok=True)

    def start_upload(self, kind: str, object_id: str, *, check_gzip_tar: bool) -> Upload:
        return Upload(self.data_dir, kind, object_id, check_gzip_tar=check_gzip_tar)

    def path(self, relpath: str) -> Path:
        return self.data_dir / relpath

    def remove(self, relpath: str | None) -> None:
        if not relpath:
            return
        path = self.data_dir / relpath
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # the per-object directory, once empty

    def scratch_dir(self) -> Path:
        path = self.data_dir / "tmp" / f"extract-{secrets.token_hex(8)}"
        path.mkdir()
        return path

    def recover(self, referenced: set[str]) -> list[str]:
        """At start-up: drop interrupted uploads and archives that no database row points to."""
        removed = []
        for leftover in (self.data_dir / "tmp").iterdir():
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            removed.append(f"tmp/{leftover.name}")
        for path in sorted((self.data_dir / "archives").rglob("*")):
            relpath = path.relative_to(self.data_dir).as_posix()
            if path.is_file() and relpath not in referenced:
                self.remove(relpath)
                removed.append(relpath)
        return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def safe_extract(archive: Path, dest: Path, *, max_bytes: int, max_members: int = 100_000) -> Path:
    """Unpack a submission bundle into ``dest``; returns its single top directory.

    Refuses (ArchiveRejected) what tarfile's "data" filter refuses — absolute names, ``..``,
    links leading outside, devices and FIFOs — plus duplicate names, members outside one top
    directory, and more than ``max_bytes`` unpacked or ``max_members`` members (gzip bombs).
    Nothing is ever written outside ``dest``: files are created with O_EXCL|O_NOFOLLOW under
    directories this function made itself.
    """
    root = dest.resolve()
    top: str | None = None
    total = 0
    try:
        bundle = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 - `with` just below
    except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
        raise ArchiveRejected(f"bundle is not a readable .tar.gz: {err}") from err
    with bundle:
        try:
            for count, member in enumerate(bundle, start=1):
                if count > max_members:
                    raise ArchiveRejected(f"bundle has more than {max_members} members")
                parts = _member_parts(member.name)
                if top is None:
                    top = parts[0]
                elif parts[0] != top:
                    raise ArchiveRejected(
                        f"bundle member {member.name!r} is outside the top directory {top!r}: "
                        "a bundle holds exactly one directory, <org>/"
                    )
                target = root.joinpath(*parts)
                if member.isdir():
                    if len(parts) == 1 or not target.is_dir():
                        _mkdirs(root, parts)
                    continue
                if len(parts) == 1:
                    raise ArchiveRejected(
                        f"bundle member {member.name!r} is not inside a top directory <org>/"
                    )
                _mkdirs(root, parts[:-1])
                if member.issym():
                    _check_link(member, parts, top)
                    try:
                        os.symlink(member.linkname, target)
                    except FileExistsError as err:
                        raise ArchiveRejected(f"bundle has {member.name!r} twice") from err
                elif member.islnk():
                    source = _hardlink_source(root, member, top)
                    total += source.stat().st_size
                    _check_total(total, max_bytes)
                    _copy_into(source.open("rb"), target, member.name, 0o644)
                elif member.isfile():
                    total += member.size
                    _check_total(total, max_bytes)
                    mode = 0o755 if member.mode & stat.S_IXUSR else 0o644
                    _copy_into(bundle.extractfile(member), target, member.name, mode)
                else:
                    raise ArchiveRejected(
                        f"bundle member {member.name!r} is a device or FIFO, which is not allowed"
                    )
        except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
            raise ArchiveRejected(f"bundle is not a readable .tar.gz: {err}") from err
    if top is None:
        raise ArchiveRejected("bundle is empty: it must hold one directory, <org>/")
    return root / top


def _member_parts(name: str) -> tuple[str, ...]:
    if not name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise ArchiveRejected(f"bundle member {name!r} has an absolute path")
    parts = tuple(part for part in PurePosixPath(name).parts if part not in ("", "."))
    if not parts:
        raise ArchiveRejected(f"bundle member {name!r} has an empty path")
    if ".." in parts:
        raise ArchiveRejected(f"bundle member {name!r} leads outside the bundle ('..')")
    return parts


def _hardlink_source(root: Path, member: tarfile.TarInfo, top: str) -> Path:
    try:
        parts = _member_parts(member.linkname)
    except ArchiveRejected:
        parts = ()
    source = root.joinpath(*parts)
    if not parts or parts[0] != top or source.is_symlink() or not source.is_file():
        raise ArchiveRejected(
            f"bundle member {member.name!r} is a hard link to {member.linkname!r}, "
            "which is not a file earlier in the bundle"
        )
    return source


def _check_link(member: tarfile.TarInfo, parts: tuple[str, ...], top: str) -> None:
    link = member.linkname
    resolved = os.path.normpath(os.path.join(*parts[:-1], link)) if link else ""
    if not link or os.path.isabs(link) or resolved.split(os.sep)[0] != top:
        raise ArchiveRejected(
            f"bundle member {member.name!r} is a symlink to {link!r}, outside the bundle"
        )


def _mkdirs(root: Path, parts: tuple[str, ...]) -> None:
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise ArchiveRejected(f"bundle writes through the symlink {part!r}")
        current.mkdir(mode=0o755, exist_ok=True)


def _check_total(total: int, max_bytes: int) -> None:
    if total > max_bytes:
        raise ArchiveRejected(f"bundle unpacks to more than {max_bytes} bytes")


def _copy_into(source, target: Path, name: str, mode: int) -> None:  # noqa: ANN001 - file objects
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, mode)
    except FileExistsError as err:
        raise ArchiveRejected(f"bundle has {name!r} twice") from err
    with source, os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
