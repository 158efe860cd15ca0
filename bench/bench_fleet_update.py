"""Fleet updates: what checking a release bundle costs on the station.

For a bundle of the project wheel only (~2 MB) and a full wheelhouse (~200 MB, the size of
kivy + opencv + numpy + the rest for arm64), it measures
  1. ``verify_bundle`` (Ed25519 signature of the manifest + SHA-256 of every wheel inside
     the tar), median of several runs;
  2. the obvious alternative: one SHA-256 of the whole tar (what the download already does),
     which proves the transfer but not who signed the contents.

Run: .venv/bin/python bench/bench_fleet_update.py [--runs 5]
Results go to docs/PERFORMANCE.md by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import cpu_model

from foundation.credential.keys import StationKey
from foundation.releases.bundle import (
    load_release_keys,
    public_key_line,
    sha256_file,
    sign_manifest,
    verify_bundle,
    write_bundle,
)
from foundation.releases.manifest import Manifest, ManifestFile


def make_bundle(folder: Path, key: StationKey, total_mb: int) -> Path:
    house = folder / f"house-{total_mb}"
    house.mkdir()
    sizes = [max(1, total_mb // 8)] * 8
    files = []
    for n, size in enumerate(sizes):
        path = house / f"dep{n}-1.0-py3-none-any.whl"
        path.write_bytes(os.urandom(size * 2**20))
        files.append(ManifestFile(f"wheels/{path.name}", sha256_file(path), path.stat().st_size))
    manifest = Manifest("9.9.9", "0.1.0", "2026-11-21T00:00:00+00:00", files[0].name, (),
                        tuple(files))
    body, sig = sign_manifest(manifest, key)
    return write_bundle(folder / f"bundle-{total_mb}.tar", house, body, sig)


def median_time(action: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        key = StationKey.generate(folder / "k" / "release.key")
        (folder / "keys").mkdir()
        (folder / "keys" / "r.pub").write_text(public_key_line(key.public_bytes()))
        keys = load_release_keys(folder / "keys")
        print(f"{'bundle':>10} | {'verify_bundle (s)':>18} | {'sha256 of tar (s)':>18} | ratio")
        for mb in (2, 200):
            bundle = make_bundle(folder, key, mb)
            verify = median_time(lambda b=bundle: verify_bundle(b, keys), args.runs)
            plain = median_time(lambda b=bundle: sha256_file(b), args.runs)
            print(f"{mb:>7} MB | {verify:>18.3f} | {plain:>18.3f} | {verify / plain:.2f}")


if __name__ == "__main__":
    main()
