"""Benchmark `runs create` on a generated ~1 GB run folder against `tar -I 'pigz -3' -cf`.

    python bench/bench_runs.py [--events text|legacy] [--size-mb 1024] [--repeat 3] [--keep]
                               [--also-tar-czf]

What it does, all under a fresh directory in /tmp (deleted at the end unless --keep):
1. Generates a run folder: the real llama2-70b_c1 sample's config/summary/metrics/report plus an
   ``events.jsonl`` of SIZE MB. ``--events text`` (the default, issue 14): event lines as
   inference-endpoint writes them, carrying prompts and model outputs — sentences of words
   drawn from a 12,000-word vocabulary with a Zipf-like distribution and varied lengths, outputs
   echoing phrases of their prompt; gzip -3 compresses it about 3×. ``--events legacy`` (issue 4):
   the real event lines of the three samples with fresh uuids and timestamps (mostly
   ``recv_non_first`` lines, ~20×). Either way 128 distinct 1 MiB blocks in random order, so
   gzip sees realistic, non-repeating data within its 32 KiB window.
2. Starts a local ``prism-server`` in its own process (its own temp data dir) and makes a token.
3. Alternates, REPEAT times: ``tar -I 'pigz -3' -cf`` of the folder (the baseline: parallel
   gzip at the level the CLI uses; pigz is needed for the benchmark only — `apt-get install
   pigz`), then the whole ``python -m endpoints_submission_cli runs create --path FOLDER``
   process: validate, secret scan, pack + hash, POST, upload over loopback, the server's
   verification. Peak memory is the CLI process's max RSS as GNU time reports it (see
   measure.py); the server is not counted, its CPU is reported on its own line.
4. The split, in-process: ``pack_directory`` alone, then the upload of that archive (PUT to a
   fresh signed URL, including the server's verification) alone.

Target (issue 14, target 3): median runs create wall ≤ 1.0 × median pigz wall, CLI peak RSS
< 100 MB. (Issue 4's older target, ≤ 1.3 × `tar czf`, is printed with --also-tar-czf.)
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from measure import measured_run

from prism_server.testing import PrismProcess

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "data" / "samples" / "inference-endpoint"
BLOCK = 1024 * 1024
N_BLOCKS = 128
PIGZ = shutil.which("pigz")


# -- legacy events (issue 4): the samples' real lines, mostly short recv_non_first events ------


def _event_templates() -> list[str]:
    lines: list[str] = []
    for name in ("llama2-70b_c1", "http500_every_10th_c8", "accuracy_both_c4"):
        lines += (SAMPLES / name / "events.jsonl").read_text().splitlines()
    return lines


class LegacyEvents:
    """About 1 MiB blocks of the samples' event lines: new uuids, increasing timestamps."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.templates = _event_templates()
        self.clock = 524_647_715_272

    def block(self) -> bytes:
        rng = self.rng
        out: list[str] = []
        size = 0
        uuids: dict[str, str] = {}
        i = rng.randrange(len(self.templates))
        while size < BLOCK:
            line = self.templates[i % len(self.templates)]
            i += 1
            old = re.search(r'"sample_uuid":"([0-9a-f]*)"', line)
            if old and old.group(1):
                new = uuids.setdefault(old.group(1), uuid.UUID(int=rng.getrandbits(128)).hex)
                line = line.replace(old.group(1), new)
            self.clock += rng.randrange(50_000, 5_000_000)
            line = re.sub(r'"timestamp_ns":\d+', f'"timestamp_ns":{self.clock}', line)
            out.append(line)
            size += len(line) + 1
        return ("\n".join(out) + "\n").encode()


# -- text-heavy events (issue 14): prompts and outputs dominate the bytes ----------------------


class TextEvents:
    """About 1 MiB blocks of whole samples (issued, first token, a few chunks, complete) whose
    prompts and outputs are generated prose: Zipf-distributed words (short words frequent),
    sentences of log-normal length, outputs that echo phrases of their prompt."""

    VOCABULARY = 12_000

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.clock = 524_647_715_272
        consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
        syllables = [c + v for c in consonants for v in vowels]
        syllables += [s + e for s in syllables for e in "nrst"]
        words: set[str] = set()
        while len(words) < self.VOCABULARY:
            length = min(1 + int(rng.expovariate(0.7)), 5)
            words.add("".join(rng.choice(syllables) for _ in range(length)))
        self.words = sorted(words, key=lambda w: (len(w), w))
        self.cum_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(self.words)))
        )

    def _prose(self, n_words: int, echo: list[str]) -> str:
        rng = self.rng
        words = rng.choices(self.words, cum_weights=self.cum_weights, k=n_words)
        sentences: list[str] = []
        i = 0
        while i < n_words:
            length = max(3, int(rng.lognormvariate(2.5, 0.5)))
            sentence = words[i : i + length]
            i += length
            if echo and rng.random() < 0.3:  # answers repeat the prompt's terms
                at = rng.randrange(len(echo))
                sentence[2:2] = echo[at : at + rng.randint(3, 8)]
            sentences.append(
                sentence[0].capitalize() + " " + " ".join(sentence[1:]) + rng.choice(".....?!,;:")
            )
        return " ".join(sentences)

    def _sample(self) -> list[str]:
        rng = self.rng
        sample_uuid = uuid.UUID(int=rng.getrandbits(128)).hex
        lines: list[str] = []

        def event(kind: str, data: object, **extra: object) -> None:
            self.clock += rng.randrange(50_000, 5_000_000)
            record = {
                "event_type": kind,
                "timestamp_ns": self.clock,
                "sample_uuid": sample_uuid,
                "conversation_id": "",
                "turn": None,
                "data": data,
                **extra,
            }
            lines.append(json.dumps(record, separators=(",", ":")))

        prompt = self._prose(int(rng.lognormvariate(5.3, 0.8)) + 1, [])
        event("sample.issued", ["PromptData", prompt, None, None, None, None, None, None])
        event("sample.recv_first", None)
        for _ in range(rng.randint(2, 12)):
            event("sample.recv_non_first", None)
        words = self._prose(int(rng.lognormvariate(5.0, 0.7)) + 1, prompt.split()).split(" ")
        chunks: list[str] = []
        i = 0
        while i < len(words):
            step = rng.randint(1, 6)
            chunks.append((" " if i else "") + " ".join(words[i : i + step]))
            i += step
        output = ["TextModelOutput", chunks, None, None]
        event("sample.complete", output, finish_reason="stop", worker_id=rng.randrange(8))
        return lines

    def block(self) -> bytes:
        out: list[str] = []
        size = 0
        while size < BLOCK:
            for line in self._sample():
                out.append(line)
                size += len(line) + 1
        return ("\n".join(out) + "\n").encode()


def generate_run_folder(root: Path, size_mb: int, events: str) -> Path:
    folder = root / "llama2-70b_c1024"
    src = SAMPLES / "llama2-70b_c1"
    shutil.copytree(src, folder, ignore=shutil.ignore_patterns("events.jsonl"))
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.copy(SAMPLES / "system_desc.example.json", folder / "system_desc.json")
    rng = random.Random(4)
    generator = TextEvents(rng) if events == "text" else LegacyEvents(rng)
    blocks = [generator.block() for _ in range(N_BLOCKS)]
    target = size_mb * BLOCK
    written = 0
    with open(folder / "events.jsonl", "wb") as fh:
        while written < target:
            block = blocks[rng.randrange(N_BLOCKS)]
            fh.write(block)
            written += len(block)
    return folder


def start_server(data_dir: Path) -> tuple[PrismProcess, str, str]:
    """A prism-server in its own process (the other core) and a token for it."""
    server = PrismProcess(data_dir, fault_injection=False).start()
    return server, server.url, server.new_token("bench")


def _process_cpu(pid: int) -> float:
    """utime + stime of a running process, in seconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _split(folder: Path, root: Path, url: str, token: str, run_id: str) -> tuple[float, float]:
    """Pack alone, then upload that archive alone (to the run made above: replaces its
    archive), both in this process; seconds of wall time each."""
    sys.path.insert(0, str(REPO / "src"))
    from endpoints_submission_cli.archive import pack_directory
    from endpoints_submission_cli.prism import PrismClient
    from endpoints_submission_cli.registration import upload_archive

    started = time.perf_counter()
    archive = pack_directory(folder, root / "pack-only.tar.gz", arcname=folder.name)
    pack = time.perf_counter() - started
    with PrismClient(url, token) as client:
        started = time.perf_counter()
        upload_archive(client, run_id, archive)
        upload = time.perf_counter() - started
    return pack, upload


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", choices=("text", "legacy"), default="text")
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--also-tar-czf", action="store_true", help="issue 4's baseline too")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if PIGZ is None:
        print(
            "pigz is not installed: the baseline `tar -I 'pigz -3' -cf` cannot run "
            "(install it for the benchmark: apt-get install pigz)",
            file=sys.stderr,
        )
        return 2

    root = Path(tempfile.mkdtemp(prefix="bench-runs-", dir="/tmp"))
    server = None
    try:
        t0 = time.perf_counter()
        folder = generate_run_folder(root, args.size_mb, args.events)
        folder_bytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(
            f"generated {folder} ({folder_bytes / 1e6:.0f} MB, {args.events} events) in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        (root / "server").mkdir()
        server, url, token = start_server(root / "server")
        env = {**os.environ, "MLPERF_API_BASE_URL": url, "PRISM_USER_API_TOKEN": token}

        baselines = [("tar -I 'pigz -3' -cf", ["tar", "-I", "pigz -3", "-cf"])]
        if args.also_tar_czf:
            baselines.append(("tar czf", ["tar", "czf"]))
        wall: dict[str, list[float]] = {label: [] for label, _ in baselines}
        cpu: dict[str, list[float]] = {label: [] for label, _ in baselines}
        sizes: dict[str, int] = {}
        create = "runs create"
        wall[create], cpu[create], server_cpu, rss = [], [], [], []
        load_before = os.getloadavg()[0]
        run_id = ""
        for _ in range(args.repeat):
            for label, command in baselines:
                out = root / "baseline.tar.gz"
                run = measured_run([*command, str(out), "-C", str(root), folder.name])
                wall[label].append(run.wall_s)
                cpu[label].append(run.cpu_s)
                sizes[label] = out.stat().st_size
                out.unlink()
            server_before = _process_cpu(server.pid)
            run = measured_run(
                [sys.executable, "-m", "endpoints_submission_cli", "runs", "create"]
                + ["--path", str(folder)],
                env=env,
            )
            wall[create].append(run.wall_s)
            cpu[create].append(run.cpu_s)
            server_cpu.append(_process_cpu(server.pid) - server_before)
            rss.append(run.peak_mib or 0.0)
            run_id = run.stdout.strip()
            shown = subprocess.run(
                [sys.executable, "-m", "endpoints_submission_cli", "runs", "get"]
                + ["--run-id", run_id, "--json"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            sizes[create] = json.loads(shown.stdout)["archive_size"]

        pack, upload = _split(folder, root, url, token, run_id)

        def row(label: str, values: list[float]) -> None:
            listed = "  ".join(f"{v:6.1f}" for v in values)
            print(f"{label:38} {listed}   median {statistics.median(values):6.2f}")

        for label, _ in baselines:
            row(f"{label} (wall s)", wall[label])
        row("runs create (wall s)", wall[create])
        for label, _ in baselines:
            row(f"{label} (CPU s)", cpu[label])
        row("runs create (CPU s, client)", cpu[create])
        row("prism-server (CPU s during create)", server_cpu)
        row("runs create (peak RSS MiB, client)", rss)
        print(
            "archive: "
            + ", ".join(f"{label} {size / 1e6:.1f} MB" for label, size in sizes.items())
            + f" (events {folder_bytes / sizes[create]:.2f}:1 for runs create)"
        )
        print(f"split (in-process): pack {pack:.1f} s, upload + server verification {upload:.1f} s")
        print(f"load average (1 min) before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")
        base = "tar -I 'pigz -3' -cf"
        ratio = statistics.median(wall[create]) / statistics.median(wall[base])
        peak = max(rss)
        ok = ratio <= 1.0 and peak < 100
        print(
            f"ratio median runs create / median {base}: {ratio:.2f} (target <= 1.00: "
            f"{'PASS' if ratio <= 1.0 else 'FAIL'}); peak RSS of the CLI: {peak:.0f} MiB "
            f"(target < 100: {'PASS' if peak < 100 else 'FAIL'})"
        )
        if args.also_tar_czf:
            old = statistics.median(wall[create]) / statistics.median(wall["tar czf"])
            print(f"ratio median runs create / median tar czf: {old:.2f} (issue 4: <= 1.30)")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
