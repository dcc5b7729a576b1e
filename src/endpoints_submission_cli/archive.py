"""Pack folders into .tar.gz archives, scan them for secrets, and extract archives safely.

The only module that touches ``tarfile``. Everything streams: a file is read once, in 1 MiB
chunks, into gzip (ISA-L's deflate, level 2, see ``GZIP_LEVEL``) and SHA-256 is computed over
the compressed bytes as they are written — no file is ever held in memory, however large.
Compression runs on worker threads in 1 MiB blocks (see ``_GzipPipe``), so it keeps up with
reading and scanning.

Secret scan (cli.md §3). Two depths, because a benchmark folder holds two kinds of text:

* *config-like files* (YAML, JSON, text, scripts — everything that is not a data log or binary)
  get every check: credential formats plus ``api_key``/``token``/``password``-style values that
  are not ``<redacted>`` and ``user:password@host`` URLs.
* *data logs* (``*.jsonl``/``*.ndjson``, or any text file over 64 MiB — ``events.jsonl`` holds
  prompts and model outputs, and has ``"token"``-like fields that are data, not credentials)
  and binary files are searched for every credential *format*: PRISM tokens (``mlc_…``),
  ``sk-…`` keys, AWS access key ids, private-key blocks and ``user:password@`` URLs — but not
  for ``token: value`` pairs. The search runs inside the packing pass over the same chunks (a
  GB log is read once), while compression runs on other cores (bench/bench_runs.py).

Every byte of every packed file is scanned, whatever its size or content (issue 13 item 10):
a file with NUL bytes (UTF-16 text, strings inside binaries) is also scanned with its NULs
removed, so ``m\0l\0c\0_\0…`` reads ``mlc_…``; gzip data (a ``.gz`` file, or any file starting
with the gzip magic) is decompressed on the fly and its content scanned the same way (bounded:
see ``GZIP_SCAN_MAX_RATIO``); and every packed name (files, folders, links) is scanned for
credential formats — a name that is a token is refused with the token masked.

Config-like files are scanned before packing starts, so the common refusal (an unredacted key in
config.yaml) costs nothing. A hit in a data log aborts packing and removes the partial archive.
Hits name file and line and the kind of secret, never the secret text.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
import re
import stat
import struct
import tarfile
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from isal import isal_zlib

from .errors import ArchiveError, SecretFoundError
from .progress import ByteProgress, byte_progress

CHUNK = 1024 * 1024
# ISA-L (python-isal) level 2: on text-heavy event logs (prompts and outputs) it deflates ~6×
# faster than zlib's level 3 for a ~1 % larger archive, and on short-line logs ~5× faster for a
# ~8 % smaller one (bench/bench_runs.py; 1 GB of text: 336 MB against pigz -3's 333 MB). The
# output is plain deflate: any gzip, `tar xzf` and Python's tarfile read it. Level 3 is ~1.5×
# slower on text for 0.7 % less, and slower than zlib on very repetitive logs.
GZIP_LEVEL = 2

NEVER_PACKED_DIRS = frozenset({".git", "__pycache__"})
NEVER_PACKED_FILES = (
    "*.pyc",
    ".env",
    ".env.*",
    ".DS_Store",
    "*.swp",
    "*.swo",
    "*~",
    ".#*",
    "#*#",
)

DATA_LOG_SUFFIXES = frozenset({".jsonl", ".ndjson"})
DATA_LOG_MIN_SIZE = 64 * 1024 * 1024
# File types whose unquoted values are literal strings (YAML, ini/env style); elsewhere (JSON,
# code, prose) only a quoted value counts, so `token = get_token()` in a script is no hit.
UNQUOTED_VALUE_SUFFIXES = frozenset(
    {".yaml", ".yml", ".env", ".ini", ".cfg", ".conf", ".toml", ".properties", ".sh", ""}
)
MAX_HITS_PER_FILE = 5
_OVERLAP = 4096  # bytes of lookahead kept between chunks; longer than any pattern's prefix
_BINARY_SNIFF = 8192  # a NUL in the first 8 KiB makes a file binary (as git and grep decide)
# Gzip content inside a packed file is scanned after decompression; a file whose content
# expands beyond this ratio (plus GZIP_SCAN_ALLOWANCE) is refused rather than scanned forever.
GZIP_SCAN_MAX_RATIO = 100  # text logs compress 5-30:1; only padding or bombs go further
GZIP_SCAN_ALLOWANCE = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_NESTING = 2  # gzip inside gzip is followed this deep; deeper gzip data is refused
_ZIP_MAGIC = b"PK\x03\x04"  # a zip archive's first local header: its members are read too
ZIP_SCAN_MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class ArchiveInfo:
    path: Path
    size: int
    sha256: str
    members: int


@dataclass(frozen=True)
class SecretHit:
    """Where a secret-looking string is: relative POSIX path, 1-based line, what it looks like."""

    path: str
    line: int  # 0: not a line of the file as stored (a name, UTF-16 or gzip content)
    kind: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.path}: {self.kind}"
        return f"{self.path} line {self.line}: {self.kind}"


# ---------------------------------------------------------------------------------------------
# Secret patterns


def _is_identifier_like(body: bytes) -> bool:
    """``mlc_llm_serve_config`` or ``sk-learn-wrapper`` are names, not random key material."""
    return re.fullmatch(rb"[a-z_-]+|[A-Z_-]+", body) is not None


def _after_prefix(match: re.Match[bytes], prefix_len: int) -> bytes:
    return match.group(0)[prefix_len:]


_NAME_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_UPPER_ALNUM = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True)
class _Pattern:
    kind: str
    regex: re.Pattern[bytes]
    accept: Callable[[re.Match[bytes], bytes], bool]  # (match, buffer) -> is a real hit
    boundary: frozenset[int] = _NAME_CHARS  # bytes that must not precede the match
    lowercase: bool = False  # match against the ASCII-lowercased buffer (same offsets)
    # A byte every match contains and prose rarely does: a buffer without it is not searched
    # (one memchr instead of a regex pass).
    needs: bytes = b""


def _token_accept(prefix_len: int) -> Callable[[re.Match[bytes], bytes], bool]:
    return lambda m, _buf: not _is_identifier_like(_after_prefix(m, prefix_len))


def _aws_accept(m: re.Match[bytes], buf: bytes) -> bool:
    end = m.end()
    return end >= len(buf) or buf[end] not in _UPPER_ALNUM


FORMAT_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(
        "a PRISM API token (mlc_...)", re.compile(rb"mlc_[A-Za-z0-9_-]{16,}"), _token_accept(4)
    ),
    _Pattern("an sk-... API key", re.compile(rb"sk-[A-Za-z0-9_-]{20,}"), _token_accept(3)),
    # AKIA (long-term) and ASIA (temporary) in one pass: each pattern is a pass over every byte.
    _Pattern(
        "an AWS access key id", re.compile(rb"A[KS]IA[0-9A-Z]{16}"), _aws_accept, _UPPER_ALNUM
    ),
    _Pattern(
        "a private key block",
        re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
        lambda m, b: True,
        frozenset(),
    ),
)

# Key/value secrets, matched on the lowercased text. Each regex starts with a literal (the
# keyword), which lets the regex engine skip ahead fast; the key's prefix is checked in Python.
_KV_TAIL = rb"[\"']?[ \t]*([:=])[ \t]*(\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s,#'\"}\]]+)"
_KV_KEYWORDS: tuple[tuple[bytes, tuple[bytes, ...]], ...] = (
    # (keyword regex, stems allowed right before it); b"" = the keyword starts a name part
    (rb"token", (b"",)),
    (rb"passw(?:or)?d", (b"",)),
    (rb"secret", (b"",)),
    (rb"key", (b"api_", b"api-", b"api", b"access_", b"access-", b"secret_", b"secret-")),
)
_KEY_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_-")
# Anchored on "://" (a literal) rather than on the scheme, for speed.
_URL_USERINFO = re.compile(rb"://[^\s/?#@:\"'<>]+:([^\s/?#@\"'<>]+)@\w")
_PLACEHOLDER_WORDS = frozenset({b"null", b"none", b"nil", b"~", b"true", b"false", b"changeme"})


def _is_placeholder(value: bytes) -> bool:
    """Values that say "no secret here": <redacted>, ${ENV}, ****, null, numbers, [PAD] …"""
    v = value.strip()
    lower = v.lower()
    if not v or lower in _PLACEHOLDER_WORDS or b"redacted" in lower:
        return True
    if v[:1] in (b"$", b"!", b"|", b">", b"{", b"[", b"&", b"*") or v.startswith(b"<"):
        return True  # env/template references, YAML tags/blocks/anchors, <redacted>-like, [PAD]
    if set(v) <= set(b"*xX.-_ "):
        return True  # masked: ****, xxxx
    return re.fullmatch(rb"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?", v) is not None


def _key_value_accept(
    stems: tuple[bytes, ...], unquoted_allowed: bool
) -> Callable[[re.Match[bytes], bytes], bool]:
    def accept(m: re.Match[bytes], buf: bytes) -> bool:
        start = key_start = m.start()
        while key_start > 0 and buf[key_start - 1] in _KEY_CHARS:
            key_start -= 1
        prefix = buf[key_start:start]  # e.g. b"eos_" for eos_token, b"aws_secret_access_" for …
        if not any(
            prefix.endswith(stem) and prefix[: len(prefix) - len(stem)][-1:] in (b"", b"_", b"-")
            for stem in stems
        ):
            return False  # mytoken, monkey, sort_key: other names
        raw = m.group(2)
        quoted = raw[:1] in (b'"', b"'")
        if not quoted and not unquoted_allowed:
            return False
        value = raw[1:-1] if quoted else raw
        return len(value.strip()) >= 4 and not _is_placeholder(value)

    return accept


def _userinfo_accept(m: re.Match[bytes], _buf: bytes) -> bool:
    return not _is_placeholder(m.group(1))


_USERINFO_PATTERN = _Pattern(
    "a URL with a password (user:password@host)",
    _URL_USERINFO,
    _userinfo_accept,
    frozenset(),
    needs=b"@",
)
# Data logs, binaries, decoded content: every credential format, no key/value heuristics.
DATA_LOG_PATTERNS = (*FORMAT_PATTERNS, _USERINFO_PATTERN)


def _patterns_for(relpath: str, *, data_log: bool) -> tuple[_Pattern, ...]:
    if data_log:
        return DATA_LOG_PATTERNS
    name = PurePosixPath(relpath).name
    unquoted = PurePosixPath(relpath).suffix.lower() in UNQUOTED_VALUE_SUFFIXES or name.startswith(
        ".env"
    )
    key_values = tuple(
        _Pattern(
            "an api_key/token/password value that is not <redacted>",
            re.compile(keyword + _KV_TAIL),
            _key_value_accept(stems, unquoted),
            frozenset(),
            lowercase=True,
        )
        for keyword, stems in _KV_KEYWORDS
    )
    return (*FORMAT_PATTERNS, *key_values, _USERINFO_PATTERN)


class _StreamScanner:
    """Feeds chunks of one file through the patterns; ``finish(path)`` gives located hits.

    Each match start is considered exactly once: a chunk's last ``_OVERLAP`` bytes are carried
    into the next round, so a secret split across two reads is still seen whole. Hits are kept
    as byte offsets; line numbers are counted only when there is something to report, so the
    common case (a clean multi-GB log) pays for nothing but the pattern search.
    """

    def __init__(self, relpath: str, patterns: Sequence[_Pattern]) -> None:
        self.relpath = relpath
        self.patterns = patterns
        self._found: dict[tuple[int, str], None] = {}  # (offset, kind), in discovery order
        self._tail = b""
        self._prev_byte = -1  # the byte just before the current buffer
        self._base = 0  # file offset of the current buffer's first byte

    def feed(self, data: bytes) -> None:
        if self._tail and len(data) > 2 * _OVERLAP:
            # A big chunk is not copied behind the tail: the starts in the tail are searched in
            # the tail plus the chunk's first _OVERLAP bytes (each start sees _OVERLAP bytes on,
            # as any start does), then the chunk is searched where it lies.
            seam = self._tail + data[:_OVERLAP]
            self._advance(seam, len(self._tail))
            self._advance(data, len(data) - _OVERLAP)
            return
        buf = self._tail + data if self._tail else data
        if len(buf) <= _OVERLAP:
            self._tail = buf
            return
        self._advance(buf, len(buf) - _OVERLAP)

    def _advance(self, buf: bytes, limit: int) -> None:
        """Search the matches starting before ``limit``; keep ``buf[limit:]`` as the tail."""
        self._scan(buf, limit)
        self._prev_byte = buf[limit - 1]
        self._tail = buf[limit:]
        self._base += limit

    @property
    def full(self) -> bool:
        return len(self._found) >= MAX_HITS_PER_FILE

    def finish(self, path: Path | None) -> list[SecretHit]:
        """Scan what is left; return the hits with line numbers (re-reading ``path`` if any;
        without a path — decoded content, names — the line is 0)."""
        if self._tail:
            self._scan(self._tail, len(self._tail))
            self._tail = b""
        if not self._found:
            return []
        found = sorted(self._found)
        if path is None:
            lines = [0] * len(found)
        else:
            lines = _line_numbers(path, [offset for offset, _ in found])
        hits: list[SecretHit] = []
        for (_, kind), line in zip(found, lines, strict=False):  # a file cut short: fewer
            hit = SecretHit(self.relpath, line, kind)
            if hit not in hits:
                hits.append(hit)
        return hits

    def _scan(self, raw: bytes, limit: int) -> None:
        lowered = raw.lower() if any(p.lowercase for p in self.patterns) else raw
        for pattern in self.patterns:
            buf = lowered if pattern.lowercase else raw
            if pattern.needs and pattern.needs not in buf:
                continue
            for m in pattern.regex.finditer(buf):
                start = m.start()
                if start >= limit or self.full:
                    break
                before = buf[start - 1] if start > 0 else self._prev_byte
                if before not in pattern.boundary and pattern.accept(m, buf):
                    self._found[(self._base + start, pattern.kind)] = None


def _line_numbers(path: Path, offsets: Sequence[int]) -> list[int]:
    """1-based line numbers of sorted byte offsets, counting newlines in one streaming pass."""
    lines: list[int] = []
    newlines = 0
    position = 0
    pending = iter(offsets)
    offset = next(pending, None)
    with path.open("rb") as fh:
        while offset is not None and (chunk := fh.read(CHUNK)):
            while offset is not None and offset < position + len(chunk):
                lines.append(newlines + chunk.count(b"\n", 0, offset - position) + 1)
                offset = next(pending, None)
            newlines += chunk.count(b"\n")
            position += len(chunk)
    return lines


def _is_data_log(relpath: str, size: int) -> bool:
    return PurePosixPath(relpath).suffix.lower() in DATA_LOG_SUFFIXES or size > DATA_LOG_MIN_SIZE


class _FileScan:
    """Every view of one file the scan needs, fed chunk by chunk (one read of the file).

    * the bytes as stored: all patterns for config-like text, credential formats for data logs
      and binaries (decided on the first chunk: a NUL in its first 8 KiB means binary);
    * the bytes with NULs removed, from the first chunk that has a NUL on (UTF-16 text);
    * for gzip data, the decompressed content, itself scanned as a nested ``_FileScan``;
    * for a zip archive (a file of the folder, not data inside one), each member's content,
      read again from the file once it is scanned as stored (``_zip_hits``).
    """

    def __init__(self, relpath: str, *, data_log: bool, depth: int = 0) -> None:
        self.relpath = relpath
        self.data_log = data_log
        self.depth = depth
        self._raw: _StreamScanner | None = None
        self._wide: _StreamScanner | None = None
        self._gzip: zlib._Decompress | None = None
        self._inner: _FileScan | None = None
        self._gzip_in = 0
        self._gzip_out = 0
        self._zip = False
        self._hits: list[SecretHit] = []

    @property
    def full(self) -> bool:
        return self._raw is not None and self._raw.full

    def feed(self, data: bytes) -> None:
        if not data:
            return
        if self._raw is None:
            binary = b"\0" in data[:_BINARY_SNIFF]
            patterns = _patterns_for(self.relpath, data_log=self.data_log or binary)
            self._raw = _StreamScanner(self.relpath, patterns)
            if data[:2] == _GZIP_MAGIC and self.depth < _MAX_NESTING:
                self._gzip = zlib.decompressobj(wbits=31)
                self._inner = _FileScan(self.relpath, data_log=True, depth=self.depth + 1)
            elif data[:4] == _ZIP_MAGIC:
                if self.depth > 0:  # its members cannot be read without the whole file
                    raise ArchiveError(
                        f"cannot scan {_masked(self.relpath)} for secrets: it holds a zip "
                        "archive inside compressed data",
                        hint=f"store the zip archive itself, or leave it out with --exclude "
                        f"'{_masked(self.relpath)}'",
                    )
                self._zip = True
            elif data[:2] == _GZIP_MAGIC and _starts_gzip(data):  # not followed: not scanned
                raise ArchiveError(
                    f"cannot scan {_masked(self.relpath)} for secrets: it holds gzip data "
                    f"compressed more than {_MAX_NESTING} times over",
                    hint=f"store it compressed once, or leave it out with --exclude "
                    f"'{_masked(self.relpath)}'",
                )
        self._raw.feed(data)
        if self._wide is not None or b"\0" in data:
            if self._wide is None:
                self._wide = _StreamScanner(self.relpath, DATA_LOG_PATTERNS)
            self._wide.feed(data.replace(b"\0", b""))
        if self._gzip is not None:
            self._feed_gzip(data)

    def _feed_gzip(self, data: bytes) -> None:
        self._gzip_in += len(data)
        pending = data
        try:
            while pending and self._gzip is not None:
                out = self._gzip.decompress(pending, CHUNK)
                pending = self._gzip.unconsumed_tail
                self._gzip_out += len(out)
                if self._gzip_out > self._gzip_in * GZIP_SCAN_MAX_RATIO + GZIP_SCAN_ALLOWANCE:
                    raise ArchiveError(
                        f"cannot scan {_masked(self.relpath)} for secrets: its gzip content "
                        f"expands more than {GZIP_SCAN_MAX_RATIO}:1",
                        hint=f"leave it out with --exclude '{_masked(self.relpath)}'",
                    )
                assert self._inner is not None
                self._inner.feed(out)
                if self._gzip.eof:  # a multi-member file: the next member follows
                    rest = self._gzip.unused_data + pending
                    self._gzip = zlib.decompressobj(wbits=31) if rest[:2] == _GZIP_MAGIC else None
                    pending = rest if self._gzip is not None else b""
        except zlib.error:
            self._gzip = None  # not gzip after all: the raw bytes were scanned all the same

    def finish(self, path: Path | None) -> list[SecretHit]:
        hits = self._raw.finish(path) if self._raw is not None else []
        located = {hit.kind for hit in hits}
        if self._wide is not None:
            for hit in self._wide.finish(None):
                if hit.kind not in located:
                    hits.append(
                        SecretHit(self.relpath, 0, f"{hit.kind} (in UTF-16 or binary data)")
                    )
        if self._inner is not None:
            for hit in self._inner.finish(None):
                kind = hit.kind if "gzip" in hit.kind else f"{hit.kind} (inside gzip data)"
                hits.append(SecretHit(self.relpath, 0, kind))
        if self._zip and path is not None:
            hits.extend(_zip_hits(path, self.relpath))
        unique: list[SecretHit] = []
        for hit in hits:
            if hit not in unique:
                unique.append(hit)
        return unique


def _zip_hits(path: Path, relpath: str) -> list[SecretHit]:
    """The secrets in the members of the zip archive ``path`` (packed as ``relpath``): each
    member's content is scanned as gzip content is, its name as a packed name is.

    A zip archive whose members cannot be read (encrypted, an unknown compression, expanding
    past the gzip bound, too many members) is refused: it would be packed unscanned. A file
    that only starts like one (no central directory) was scanned as stored, like any file.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return []

    def refuse(why: str) -> ArchiveError:
        return ArchiveError(
            f"cannot scan {_masked(relpath)} for secrets: {why}",
            hint=f"leave it out with --exclude '{_masked(relpath)}'",
        )

    hits: list[SecretHit] = []
    budget = path.stat().st_size * GZIP_SCAN_MAX_RATIO + GZIP_SCAN_ALLOWANCE
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_SCAN_MAX_MEMBERS:
            raise refuse(f"its zip archive has more than {ZIP_SCAN_MAX_MEMBERS} members")
        for hit in scan_names(member.filename for member in members):
            hits.append(SecretHit(_masked(relpath), 0, f"{hit.kind} (a zip member's name)"))
        for member in members:
            if member.is_dir():
                continue
            scan = _FileScan(relpath, data_log=True, depth=1)
            try:
                with archive.open(member) as content:
                    while chunk := content.read(CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise refuse(
                                f"its zip archive expands more than {GZIP_SCAN_MAX_RATIO}:1"
                            )
                        scan.feed(chunk)
                        if scan.full:
                            break
            except (  # encrypted, an unknown method, a bad CRC or stream, a cut file
                RuntimeError,
                NotImplementedError,
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                ValueError,
            ) as exc:
                raise refuse(f"a zip member cannot be read ({exc})") from None
            for hit in scan.finish(None):
                hits.append(SecretHit(relpath, 0, f"{hit.kind} (inside zip data)"))
    return hits


def _starts_gzip(data: bytes) -> bool:
    """Whether ``data`` begins a gzip stream (a valid header and a first deflate block), not
    merely the two magic bytes."""
    try:
        zlib.decompressobj(wbits=31).decompress(data, 1)
    except zlib.error:
        return False
    return True


def _scan_file(path: Path, relpath: str, *, data_log: bool) -> list[SecretHit]:
    """Read every byte of ``path`` through a ``_FileScan`` (no size cut-off)."""
    scan = _FileScan(relpath, data_log=data_log)
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                scan.feed(chunk)
                if scan.full:
                    break
    except OSError as exc:
        raise ArchiveError(f"cannot read {relpath} for the secret scan: {exc.strerror}") from None
    return scan.finish(path)


def scan_file(path: Path, relpath: str) -> list[SecretHit]:
    """Scan one file that will be packed as ``relpath`` (e.g. ``runs create --system-desc``)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArchiveError(f"cannot read {path} for the secret scan: {exc.strerror}") from None
    return _scan_file(path, relpath, data_log=_is_data_log(relpath, size))


def _looks_binary(path: Path) -> bool:
    with path.open("rb") as fh:
        return b"\0" in fh.read(_BINARY_SNIFF)


def scan_names(relpaths: Iterable[str]) -> list[SecretHit]:
    """Credential formats in the packed names themselves; the name is shown masked."""
    hits: list[SecretHit] = []
    for relpath in relpaths:
        raw = relpath.encode("utf-8", "surrogateescape")
        scanner = _StreamScanner(relpath, DATA_LOG_PATTERNS)
        scanner.feed(raw)
        for hit in scanner.finish(None):
            hits.append(SecretHit(_masked(relpath), 0, f"{hit.kind} in the file name"))
    return hits


def _masked(text: str) -> str:
    """``text`` with every credential-format match cut to its first 4 characters + '…'."""
    raw = text.encode("utf-8", "surrogateescape")
    for pattern in DATA_LOG_PATTERNS:
        raw = pattern.regex.sub(lambda m: m.group(0)[:4] + "\u2026".encode(), raw)
    return raw.decode("utf-8", "replace")


def secret_refusal(hits: Sequence[SecretHit], *, what: str) -> SecretFoundError:
    """The error for a scan with hits: every location, never the secret text (a path that
    holds a credential-shaped name is shown masked, wherever the hit was)."""
    listed = "\n".join(f"  {SecretHit(_masked(h.path), h.line, h.kind)}" for h in hits[:20])
    more = f"\n  … and {len(hits) - 20} more" if len(hits) > 20 else ""
    return SecretFoundError(
        f"refusing to pack {_masked(what)}: the secret scan found what looks like a credential:\n"
        f"{listed}{more}",
        hint="remove the secret (config values may say <redacted>), or leave the file out with "
        "--exclude GLOB (repeatable)",
    )


# ---------------------------------------------------------------------------------------------
# Walking a folder


@dataclass(frozen=True)
class _Entry:
    relpath: str  # POSIX, relative to the packed folder
    path: Path
    kind: str  # "dir" | "file" | "symlink"
    size: int = 0
    link_target: str = ""  # for symlinks: relative to the link's directory


def _excluded(relpath: str, patterns: Sequence[str]) -> bool:
    name = relpath.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(relpath, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def _never_packed(name: str, is_dir: bool) -> bool:
    if is_dir:
        return name in NEVER_PACKED_DIRS
    return any(fnmatch.fnmatchcase(name, p) for p in NEVER_PACKED_FILES)


def _walk(root: Path, exclude: Sequence[str]) -> list[_Entry]:
    """Everything that would be packed, in sorted order; refuses links out and special files."""
    root = root.resolve()
    if not root.is_dir():
        raise ArchiveError(f"{root} is not a directory")
    entries: list[_Entry] = []

    def visit(directory: Path, prefix: str) -> None:
        try:
            children = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise ArchiveError(f"cannot list {prefix or '.'}: {exc.strerror}") from None
        for child in children:
            rel = f"{prefix}{child.name}"
            path = Path(child.path)
            if child.is_symlink():
                if _excluded(rel, exclude) or _never_packed(child.name, path.is_dir()):
                    continue
                target = path.resolve()
                if target != root and root not in target.parents:
                    raise ArchiveError(
                        f"{rel} is a symlink to {os.readlink(path)}, which is outside the folder",
                        hint="replace the link by a copy of the file, or leave it out with "
                        f"--exclude '{rel}'",
                    )
                if not target.exists():
                    raise ArchiveError(f"{rel} is a broken symlink", hint=f"--exclude '{rel}'")
                link = os.path.relpath(target, path.parent.resolve())
                entries.append(_Entry(rel, path, "symlink", link_target=link))
                continue
            st = child.stat(follow_symlinks=False)
            is_dir = stat.S_ISDIR(st.st_mode)
            if _never_packed(child.name, is_dir) or _excluded(rel, exclude):
                continue
            if is_dir:
                entries.append(_Entry(rel, path, "dir"))
                visit(path, f"{rel}/")
            elif stat.S_ISREG(st.st_mode):
                entries.append(_Entry(rel, path, "file", size=st.st_size))
            else:
                raise ArchiveError(
                    f"{rel} is not a regular file (device, socket or pipe)",
                    hint=f"leave it out with --exclude '{rel}'",
                )

    visit(root, "")
    return entries


def plan_archive(src: Path, exclude: Sequence[str] = ()) -> list[tuple[str, int]]:
    """The files (and links, size 0) that ``pack_directory`` would pack, with their sizes."""
    return [(e.relpath, e.size) for e in _walk(src, exclude) if e.kind != "dir"]


def _names(entries: Iterable[_Entry]) -> list[str]:
    return [
        e.relpath if e.kind != "symlink" else f"{e.relpath} -> {e.link_target}" for e in entries
    ]


def scan_secrets(root: Path, exclude: Sequence[str] = ()) -> list[SecretHit]:
    """Scan every name and every byte that would be packed (data logs and binaries for
    credential formats only)."""
    entries = _walk(root, exclude)
    hits = scan_names(_names(entries))
    for entry in entries:
        if entry.kind == "file":
            data_log = _is_data_log(entry.relpath, entry.size)
            hits.extend(_scan_file(entry.path, entry.relpath, data_log=data_log))
    return hits


# ---------------------------------------------------------------------------------------------
# Packing


def _deflate_block(block: bytes, history: bytes, level: int, last: bool) -> bytes:
    """Raw deflate of one block, primed with the 32 KiB before it (so matches may reach back).

    Blocks end on a byte boundary (sync flush), so their outputs concatenate into one valid
    deflate stream — the technique of pigz. Runs in a worker thread: ISA-L releases the GIL.
    """
    if history:
        compressor = isal_zlib.compressobj(
            level, isal_zlib.DEFLATED, -15, 8, isal_zlib.Z_DEFAULT_STRATEGY, history
        )
    else:
        compressor = isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)
    return compressor.compress(block) + compressor.flush(
        isal_zlib.Z_FINISH if last else isal_zlib.Z_SYNC_FLUSH
    )


class _GzipPipe:
    """The file tarfile writes to: gzip compression on worker threads, hashing, disk writes.

    Input is cut into blocks of about 1 MiB compressed in parallel (each primed with the
    previous block's last 32 KiB, so the ratio matches a single stream within a few bytes per
    MiB), while the main thread keeps reading files and running the secret scan; one more
    thread hashes and writes the compressed blocks in order (hashlib, file writes and ISA-L all
    release the GIL, so only the scan and tarfile hold the main thread). At most
    ``2 × workers`` blocks are in flight, so memory stays bounded whatever the size. The output
    is one standard gzip member (mtime 0: equal input gives equal bytes).
    """

    _WINDOW = 32 * 1024

    def __init__(self, fh: BinaryIO, level: int) -> None:
        self._fh = fh
        self._level = level
        workers = max(
            1,
            min(
                4,
                len(os.sched_getaffinity(0))
                if hasattr(os, "sched_getaffinity")
                else (os.cpu_count() or 1),
            ),
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gzip")
        # One thread, so blocks are hashed and written in the order they were submitted.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gzip-write")
        self._max_pending = 2 * workers
        self._pending: deque[Future[None]] = deque()
        self._pieces: list[bytes] = []  # written since the last block, joined only when needed
        self._piece_bytes = 0
        self._history = b""
        self._crc = 0
        self._offset = 0
        self._sha = hashlib.sha256()
        self.size = 0
        self._emit(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")  # gzip header, mtime 0

    def write(self, data: bytes) -> int:
        # tarfile hands over bytes it will not touch again (headers, file chunks, padding).
        self._pieces.append(bytes(data))
        self._piece_bytes += len(data)
        self._offset += len(data)
        if self._piece_bytes >= CHUNK:
            self._submit(self._take_pieces(), last=False)
        return len(data)

    def tell(self) -> int:  # tarfile asks for the uncompressed offset
        return self._offset

    def _take_pieces(self) -> bytes:
        block = self._pieces[0] if len(self._pieces) == 1 else b"".join(self._pieces)
        self._pieces.clear()
        self._piece_bytes = 0
        return block

    def _submit(self, block: bytes, *, last: bool) -> None:
        self._crc = isal_zlib.crc32(block, self._crc)
        deflated = self._pool.submit(_deflate_block, block, self._history, self._level, last)
        self._pending.append(self._writer.submit(self._emit_when_done, deflated))
        if len(block) >= self._WINDOW:
            self._history = block[-self._WINDOW :]
        else:  # a short block (the last one, or a single small file)
            self._history = (self._history + block)[-self._WINDOW :]
        while len(self._pending) > self._max_pending:
            self._pending.popleft().result()  # raises what the deflate or the write raised

    def _emit_when_done(self, deflated: Future[bytes]) -> None:
        self._emit(deflated.result())

    def _emit(self, data: bytes) -> None:
        if data:
            self._sha.update(data)
            self._fh.write(data)
            self.size += len(data)

    def close(self) -> str:
        """Finish the stream and return its SHA-256 (hex)."""
        self._submit(self._take_pieces(), last=True)
        while self._pending:
            self._pending.popleft().result()
        self._emit(struct.pack("<II", self._crc & 0xFFFFFFFF, self._offset & 0xFFFFFFFF))
        self._pool.shutdown()
        self._writer.shutdown()
        return self._sha.hexdigest()

    def abort(self) -> None:
        self._writer.shutdown(wait=True, cancel_futures=True)
        self._pool.shutdown(wait=True, cancel_futures=True)


class _ScanningReader:
    """Reads a member's bytes for tarfile, feeding the scanner and the progress bar on the way."""

    def __init__(self, fh: BinaryIO, scanner: _FileScan | None, advance: ByteProgress):
        self._fh = fh
        self._scanner = scanner
        self._advance = advance

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        if self._scanner is not None and data:
            self._scanner.feed(data)
        self._advance(len(data))
        return data


def _tarinfo(name: str, entry_path: Path, kind: str) -> tarfile.TarInfo:
    st = entry_path.lstat()
    info = tarfile.TarInfo(name)
    info.mtime = int(st.st_mtime)
    # No local user or group names in a file that leaves the machine.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if kind == "dir":
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.mode = 0o755 if st.st_mode & 0o111 else 0o644
    return info


def pack_directory(
    src: Path,
    dest: Path,
    *,
    arcname: str,
    exclude: Sequence[str] = (),
    progress_label: str | None = None,
    extra_files: Mapping[str, Path] | None = None,
) -> ArchiveInfo:
    """Write ``src`` as ``dest`` (.tar.gz, everything under ``arcname/``) and return its facts.

    ``extra_files`` maps archive-relative names to files outside ``src`` that belong in the
    archive (``runs create --system-desc FILE`` adds ``system_desc.json``); an entry of ``src``
    with the same name is replaced by it. On any failure the partial archive is removed.
    """
    extra = dict(extra_files or {})
    entries = [e for e in _walk(src, exclude) if e.relpath not in extra]
    for rel, path in extra.items():
        entries.append(_Entry(rel, Path(path), "file", size=Path(path).stat().st_size))

    # Names and config-like files first: a refusal there costs a few milliseconds, not a
    # packing pass. Data logs and binaries are scanned while they are packed (read once).
    hits = scan_names(_names(entries))
    scan_while_packing: set[str] = set()
    for entry in entries:
        if entry.kind != "file":
            continue
        if _is_data_log(entry.relpath, entry.size) or _looks_binary(entry.path):
            scan_while_packing.add(entry.relpath)
        else:
            hits.extend(_scan_file(entry.path, entry.relpath, data_log=False))
    if hits:
        raise secret_refusal(hits, what=str(src))

    total = sum(e.size for e in entries)
    try:
        with (
            open(dest, "wb") as raw,
            byte_progress(total, progress_label or f"packing {arcname}") as advance,
        ):
            pipe = _GzipPipe(raw, GZIP_LEVEL)
            try:
                with tarfile.open(fileobj=pipe, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    tar.copybufsize = CHUNK
                    tar.addfile(_tarinfo(arcname, Path(src), "dir"))
                    for entry in entries:
                        scan = entry.relpath in scan_while_packing
                        _add_entry(tar, entry, arcname, advance, scan=scan)
                sha256 = pipe.close()
            except BaseException:
                pipe.abort()
                raise
            return ArchiveInfo(Path(dest), pipe.size, sha256, 1 + len(entries))
    except BaseException:
        Path(dest).unlink(missing_ok=True)
        raise


def _add_entry(
    tar: tarfile.TarFile, entry: _Entry, arcname: str, advance: ByteProgress, *, scan: bool
) -> None:
    name = f"{arcname}/{entry.relpath}"
    info = _tarinfo(name, entry.path, entry.kind)
    if entry.kind == "dir":
        tar.addfile(info)
        return
    if entry.kind == "symlink":
        info.type = tarfile.SYMTYPE
        info.linkname = entry.link_target
        tar.addfile(info)
        return
    info.size = entry.size
    data_log = _is_data_log(entry.relpath, entry.size)
    scanner = _FileScan(entry.relpath, data_log=data_log) if scan else None
    try:
        with entry.path.open("rb") as fh:
            tar.addfile(info, _ScanningReader(fh, scanner, advance))
    except OSError as exc:
        raise ArchiveError(
            f"cannot read {entry.relpath}: {exc.strerror or exc}",
            hint="was the file changed or removed while packing?",
        ) from None
    if scanner is not None and (hits := scanner.finish(entry.path)):
        raise secret_refusal(hits, what=entry.relpath)


def sha256_file(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


# ---------------------------------------------------------------------------------------------
# Extracting


def _check_member(member: tarfile.TarInfo, top: str | None) -> str:
    """Return the member's top directory; raise if it could escape or is not plain data."""
    name = member.name
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or not parts:
        raise ArchiveError(f"unsafe member name {name!r} (absolute or with '..')")
    if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
        raise ArchiveError(f"member {name!r} is a device, fifo or other special file")
    if top is not None and parts[0] != top:
        raise ArchiveError(f"member {name!r} is outside the archive's top directory {top!r}")
    if member.issym() or member.islnk():
        target = member.linkname
        base = PurePosixPath(name).parent if member.issym() else PurePosixPath()
        resolved = os.path.normpath(str(base / target))
        if (
            target.startswith("/")
            or resolved.startswith("..")
            or os.path.isabs(resolved)
            or PurePosixPath(resolved).parts[:1] != parts[:1]
        ):
            raise ArchiveError(f"member {name!r} links to {target!r}, outside the archive")
        if member.issym() and (
            base == PurePosixPath(resolved) or PurePosixPath(resolved) in base.parents
        ):
            raise ArchiveError(
                f"member {name!r} links to {target!r}, a folder that contains the link itself "
                "(a loop: '.' or '..' inside the tree)"
            )
    return parts[0]


@dataclass(frozen=True)
class ExtractLimits:
    """What one downloaded archive may expand to (issue 13 item 9); raise them with
    ``--max-extract-bytes``, ``--max-extract-members``, ``--max-extract-ratio``.

    The defaults fit the largest real runs with room: a multi-GB ``events.jsonl`` compresses
    10-20:1 at our level, a run folder has tens of files and a bundle a few thousand.
    """

    max_bytes: int = 32 * 1024**3  # 32 GiB expanded
    max_members: int = 100_000
    max_ratio: float = 200  # expanded bytes per archive byte

    def check(self, archive: Path, members: int, expanded: int, compressed: int) -> None:
        if members > self.max_members:
            raise ArchiveError(
                f"{archive.name} has more than {self.max_members} members",
                hint="if the archive is genuine, raise the bound with --max-extract-members N",
            )
        if expanded > self.max_bytes:
            raise ArchiveError(
                f"{archive.name} expands to more than {self.max_bytes} bytes",
                hint="if the archive is genuine, raise the bound with --max-extract-bytes N",
            )
        if expanded > self.max_ratio * compressed:
            raise ArchiveError(
                f"{archive.name} expands more than {self.max_ratio:g}:1 ({compressed} bytes "
                f"to at least {expanded}): a compression bomb?",
                hint="if the archive is genuine, raise the bound with --max-extract-ratio N",
            )


DEFAULT_EXTRACT_LIMITS = ExtractLimits()


def safe_extract(archive: Path, dest: Path, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS) -> Path:
    """Extract a .tar.gz that has one top directory into ``dest``; return that directory.

    Every member header is read and checked before anything is written: the ``limits`` (stop at
    the first header past a bound — its size is declared before its data, so a bomb is refused
    without inflating it), no absolute names, no ``..``, no links leaving the tree or pointing
    at a folder that contains them, no devices. Extraction then uses tarfile's ``data`` filter
    where Python has it (3.10.12+, 3.11.4+) and equivalent permission scrubbing elsewhere. The
    top directory must not exist yet.
    """
    try:
        compressed = max(1, Path(archive).stat().st_size)
        with tarfile.open(archive, "r:gz") as tar:
            members: list[tarfile.TarInfo] = []
            expanded = 0
            sizes: dict[str, int] = {}
            for member in tar:
                members.append(member)
                expanded += _extracted_size(member, sizes)
                limits.check(archive, len(members), expanded, compressed)
            if not members:
                raise ArchiveError(f"{archive.name} is empty")
            top: str | None = None
            for member in members:
                top = _check_member(member, top)
            assert top is not None
            target_dir = Path(dest) / top
            if target_dir.exists():
                raise ArchiveError(f"{target_dir} already exists; extract into an empty directory")
            Path(dest).mkdir(parents=True, exist_ok=True)
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # pragma: no cover - only on Pythons older than 3.10.12 / 3.11.4
                _extract_scrubbed(tar, members, Path(dest))
    except ArchiveError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise ArchiveError(f"cannot extract {archive.name}: {exc}") from None
    return target_dir


def _extracted_size(member: tarfile.TarInfo, sizes: dict[str, int]) -> int:
    """The bytes ``member`` may write, counted against the bounds: a file's size, and a hard
    link's target's, because tarfile copies the target where the file system refuses the link
    (a thousand links to one large file must not pass as a thousand empty members). ``sizes``
    remembers each file and link read so far, by name as tarfile finds link targets."""
    if member.isfile():
        size = member.size
    elif member.islnk():
        size = sizes.get(posixpath.normpath(member.linkname), 0)
    else:
        return 0
    sizes[posixpath.normpath(member.name)] = size
    return size


def _extract_scrubbed(tar: tarfile.TarFile, members: Iterable[tarfile.TarInfo], dest: Path) -> None:
    """The ``data`` filter's guarantees by hand: no set-id bits, owner-writable, no owners."""
    for member in members:
        member.mode = (member.mode | 0o600) & 0o755 if member.isfile() else 0o755
        member.uid = member.gid = 0
        member.uname = member.gname = ""
        tar.extract(member, dest, set_attrs=not member.issym())
