"""Compare every output of two versions of kb, byte for byte, on the bundled and synthetic KBs.

    python benchmarks/compare_outputs.py --before 38aef84

checks out the older revision in a temporary git worktree, runs both versions' `kb build`,
`kb export` (every format), `kb schema`, `kb check` and `kb stats` on the same inputs (the
working tree's `claims/` and synthetic KBs of 1,000 claims from two seeds) and lists every file
whose bytes differ. The exit status is 1 when anything differs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("json", "graphml", "dot", "csv", "aif", "xaif", "argdown")


def _kb(code: Path, args: list[str], work: Path) -> bytes:
    """Run one kb command with the given code on the path and return its standard output."""
    env = dict(os.environ, PYTHONPATH=str(code), XDG_CACHE_HOME=str(work / "cache"))
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "kb", *args],
        cwd=work,
        env=env,
        capture_output=True,
        check=False,
    )
    # The exit status is part of the output: a version that fails where the other succeeds differs.
    return done.stdout + done.stderr + f"\nexit {done.returncode}\n".encode()


def snapshot(code: Path, kb: Path, work: Path) -> dict[str, str]:
    """Run every command on one KB and return a digest for each file and each printed output."""
    work.mkdir(parents=True)
    prints: dict[str, bytes] = {}
    site = work / "site"
    out = _kb(code, ["build", "--kb", str(kb), "--out", str(site), "-q"], work)
    prints["build"] = out.replace(str(site).encode(), b"SITE")
    for fmt in FORMATS:
        prints[f"export {fmt}"] = _kb(code, ["export", "--kb", str(kb), "--format", fmt], work)
    prints["check"] = _kb(code, ["check", "--kb", str(kb)], work).replace(str(kb).encode(), b"KB")
    prints["stats"] = _kb(code, ["stats", "--kb", str(kb)], work)
    prints["stats --engagement"] = _kb(code, ["stats", "--kb", str(kb), "--engagement"], work)
    prints["schema"] = _kb(code, ["schema", "--out", str(work / "schema")], work)
    # Printed paths name each run's own folder.
    prints = {name: data.replace(str(work).encode(), b"WORK") for name, data in prints.items()}
    digests = {f"$ kb {name}": hashlib.sha256(data).hexdigest() for name, data in prints.items()}
    for folder, label in ((site, "site"), (work / "schema", "schema")):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                rel = f"{label}/{path.relative_to(folder).as_posix()}"
                digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def corpora(work: Path) -> dict[str, Path]:
    """Return the KBs compared: the bundled debate and two synthetic KBs of 1,000 claims."""
    found = {"bundled": work / "bundled"}
    shutil.copytree(ROOT / "claims", found["bundled"])
    for seed in (1, 2):
        folder = work / f"synthetic-1000-seed{seed}"
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "synth.py"), str(folder)]
            + ["--claims", "1000", "--seed", str(seed)],
            check=True,
            capture_output=True,
        )
        found[f"synthetic 1,000 claims, seed {seed}"] = folder
    return found


def compare(before: Path, after: Path, work: Path) -> int:
    """Snapshot both versions on every corpus and print the differences; return their number."""
    differences = 0
    for name, kb in corpora(work / "in").items():
        old = snapshot(before, kb, work / "before" / kb.name)
        new = snapshot(after, kb, work / "after" / kb.name)
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        same = sum(1 for k in old.keys() & new.keys() if old[k] == new[k])
        print(f"{name}: {len(new)} outputs, {same} byte-identical, {len(changed)} different")
        for key in changed[:40]:
            state = (
                "only before" if key not in new else "only after" if key not in old else "differs"
            )
            print(f"  {state}: {key}")
        differences += len(changed)
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the git revision to compare with")
    parser.add_argument("--after", type=Path, default=ROOT, help="the code folder to compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-compare-") as tmp:
        work = Path(tmp)
        old = work / "before-code"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.before],
            check=True,
            capture_output=True,
        )
        try:
            differences = compare(old, args.after.resolve(), work)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)])
    print("byte-identical" if not differences else f"{differences} outputs differ")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
