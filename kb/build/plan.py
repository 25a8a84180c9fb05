"""The plan of one build: what changed since the last, and so which pages to render again."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.build.executor import SideJob
from kb.build.exports import ExportJob, Made
from kb.build.pagereads import PageReads
from kb.build.report import Report
from kb.build.search import Prepared
from kb.build.state import Snapshot
from kb.build.workers import Rendered
from kb.build.writer import Manifest, digest, site_manifest
from kb.errors import BuildError
from kb.load.safety import hash_folder
from kb.model.kb import KnowledgeBase
from kb.site.reads import Calls, Key, tracked, untracked
from kb.site.site import Site

TABLES = ("questions", "claims", "sources", "actors", "stances", "evidence", "relations")
# A Site's attributes that are no derived lookup, and whose values the salt need not cover.
SKIP_ATTRS = {"kb", "env", "graph", "standings", "_templates", "memos"}


@dataclass
class Plan:
    """One build as it goes: what it read, what it renders, and what it wrote."""

    kb: KnowledgeBase
    site: Site
    last: Snapshot | None
    report: Report
    salt: str = ""
    derived: dict[str, dict[Any, Any]] = field(default_factory=dict)
    standings: dict[tuple[str, str], Any] = field(default_factory=dict)
    full: bool = True
    streaming: bool = True  # pages go straight to a new folder, swapped in whole
    changed: set[Key] = field(default_factory=set)
    export: ExportJob | None = None  # the downloads' export, when anything changed
    side: SideJob[Made] | None = None  # that export, running while pages render
    pending: set[str] = field(default_factory=set)  # downloads being written: not gone
    downloads_written: int = 0
    extra: dict[str, bytes] = field(default_factory=dict)  # assets and downloads
    extra_digests: dict[str, bytes] = field(default_factory=dict)
    pages: list[Any] = field(default_factory=list)
    todo: list[Any] = field(default_factory=list)
    prepared: Prepared | None = None  # the search views the render workers write
    results: list[Rendered] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # to write, besides streamed pages
    views: dict[str, bytes] = field(default_factory=dict)
    searching: list[float] = field(default_factory=list)  # seconds spent indexing
    reads: PageReads = field(default_factory=PageReads)
    digests: dict[str, bytes] = field(default_factory=dict)
    changed_pages: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    extra_written: int = 0
    marks: dict[str, float] = field(default_factory=dict)  # when each stage began
    early: list[Rendered] = field(default_factory=list)  # open pages, rendered before the diff
    before: SiteFiles | None = None  # the site's files before this build, being read

    def site_files(self) -> Manifest:
        """Return the site's files as they were when this build began."""
        assert self.before is not None, "a build with a last one reads the site first"
        return self.before()

    def paths(self) -> set[str]:
        """Return the paths of this build's pages."""
        return {p.path for p in self.pages}

    def last_digests(self) -> dict[str, bytes]:
        """Return the digests of the last build's pages ({} for a full build)."""
        return {} if self.full or self.last is None else self.last.digests

    def changed_since(self, last: Snapshot) -> set[str]:
        """Return the pages rendered to other bytes than last's, and those gone since."""
        changed = {p for p, d, _, _ in self.results if last.digests.get(p) != d}
        paths = self.paths()
        return changed | {p for p in last.digests if p not in paths}

    def stale(self, extra: dict[str, bytes], old: dict[str, bytes]) -> list[str]:
        """Return the files of the last site (its extras in `extra`, pages in `old`) now gone."""
        paths = self.paths()
        gone = [p for p in extra if p not in self.extra_digests]
        return gone + [p for p in old if p not in paths]


def read_site(out: Path) -> SideJob[Manifest]:
    """Start reading the site's files in a forked process (the builder loads meanwhile)."""
    return SideJob(site_manifest, out, what="reading the site's files")


class SiteFiles:
    """The site's files, read by a forked process while the builder goes on, kept once read."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.job = read_site(out)
        self.value: Manifest | None = None

    def __call__(self) -> Manifest:
        """Return the files, waiting for the process that reads them (or reading them here)."""
        if self.value is None:
            try:
                self.value = self.job.result()
            except BuildError:  # its process died (killed, out of memory): read them here
                self.value = site_manifest(self.out)
        return self.value

    def close(self) -> None:
        """Wait until the reading process has ended."""
        self.job.close()


def downloads_likely(last: Snapshot | None, kb: KnowledgeBase, atomic: bool, parsed: int) -> bool:
    """Tell, once the KB is loaded, whether the build will export: first build or files changed."""
    # A rebuild in place (`kb serve`) starts the job just before the pages it shows first:
    # forked after the load, the job would take a core from them.
    if last is None:
        return True
    return atomic and bool(parsed or kb.files != last.kb.files)


def changed_extras(plan: Plan, last: dict[str, bytes]) -> dict[str, bytes]:
    """Return the assets that differ from the last build's (the export job writes downloads)."""
    plan.extra_digests.update({p: digest(d) for p, d in plan.extra.items()})
    if plan.export is None:  # nothing changed, so neither did the downloads: theirs stay
        plan.extra_digests.update({k: v for k, v in last.items() if k.startswith("downloads/")})
    return {
        p: d for p, d in plan.extra.items() if plan.full or last.get(p) != plan.extra_digests[p]
    }


def salt(site: Site, extra: Iterable[Path]) -> str:
    """Return a fingerprint of everything global: settings, scalars, templates and assets."""
    h = hashlib.blake2b(site.fingerprint().encode(), digest_size=16)
    for folder in extra:
        hash_folder(h, folder, folder.parent.resolve())  # the folder's parent: the content folder
    return h.hexdigest()


def derived_lookups(site: Site) -> dict[str, dict[Any, Any]]:
    """Return the site's derived lookups (its dict attributes), by name."""
    return {
        name: value
        for name, value in vars(site).items()
        if isinstance(value, dict) and name not in SKIP_ATTRS
    }


def standings_of(site: Site, kb: KnowledgeBase) -> dict[tuple[str, str], Any]:
    """Return what the site shows of each claim's, question's and evidence's standing."""
    out: dict[tuple[str, str], Any] = {("claim", c): site.standings.of(c) for c in kb.claims}
    out.update({("question", q): site.standings.question(q) for q in kb.questions})
    out.update({("evidence", e): site.standings.evidence(e) for e in kb.evidence})
    return out


def needs_full(plan: Plan, marker: Path) -> bool:
    """Tell whether nothing of the last build can be reused: none, or other settings."""
    last = plan.last
    return (
        last is None
        or last.salt != plan.salt
        or last.derived.keys() != plan.derived.keys()
        or not marker.is_file()
    )


def track_reads(plan: Plan) -> None:
    """Wrap the KB's tables and the site's lookups so that each page's reads are noted."""
    kb, site = plan.kb, plan.site
    for name in TABLES:
        setattr(kb, name, tracked(getattr(kb, name), "", name))
    kb.where = tracked(kb.where, "where", "where")
    for name, value in plan.derived.items():
        setattr(site, name, tracked(value, name, name))
    # Graph lookups note their own keys: a claim's text is no part of the graph.
    site.graph = Calls(site.graph, "graph")  # type: ignore[assignment]  # reason: a proxy
    site.standings = Calls(site.standings, "standing")  # type: ignore[assignment]  # reason: same


def untrack_reads(kb: KnowledgeBase) -> None:
    """Put the KB's plain tables back."""
    for name in TABLES:
        setattr(kb, name, untracked(getattr(kb, name)))
    kb.where = untracked(kb.where)


def untrack_site(plan: Plan) -> None:
    """Put the KB's plain tables and the site's plain lookups, graph and standings back."""
    untrack_reads(plan.kb)
    site = plan.site
    for name, value in plan.derived.items():
        setattr(site, name, value)
    site.graph, site.standings = untracked(site.graph), untracked(site.standings)


def note_globals(plan: Plan, salted: list[Path]) -> None:
    """Note the site's fingerprint and derived lookups, once a build (they do not change)."""
    if not plan.salt:  # the open pages' step may have noted them already
        plan.salt, plan.derived = salt(plan.site, salted), derived_lookups(plan.site)


def early_pages(plan: Plan, wanted: Collection[str], marker: Path, salted: list[Path]) -> list[Any]:
    """Return the pages at the wanted paths when a rebuild in place can render them first."""
    # The pages open in a browser (`kb serve`) are rendered before the diff: each is rendered
    # anyway when what it shows changed, and written only when its bytes did. Not in a full build,
    # which renders every page into a new folder: the salt and the marker tell it at once (a site
    # changed by hand, found later, is rebuilt whole all the same).
    if not wanted or plan.last is None:
        return []
    note_globals(plan, salted)
    if needs_full(plan, marker):
        return []
    pages = [p for p in plan.site.pages() if p.path in wanted]
    if pages:  # their reads go into a copy of the last build's table, as the other pages' do
        plan.full, plan.reads = False, plan.last.reads.copy()
    return pages


def pages_to_render(plan: Plan) -> list[Any]:
    """Return the pages that are new, or read something that changed (all, in a full build)."""
    last = plan.last
    if plan.full or last is None:
        return list(plan.pages)
    reads = last.reads
    changed = reads.numbers(plan.changed)
    return [p for p in plan.pages if p.path not in reads or reads.touched(p.path, changed)]


def collect(plan: Plan, extra: dict[str, bytes]) -> None:
    """Note each page's reads and digest, the files to write, and those gone since (of extra)."""
    last = plan.last
    plan.digests = {} if plan.full or last is None else dict(last.digests)
    for path, page_digest, page_reads, data in plan.results:
        plan.reads.pages[path] = page_reads
        if plan.digests.get(path) != page_digest:
            plan.changed_pages.append(path)
            if data is not None:
                plan.files[path] = data
        plan.digests[path] = page_digest
    plan.extra_written = len(plan.files)
    plan.gone = [p for p in extra if p not in plan.extra_digests and p not in plan.pending]
    paths = plan.paths()
    plan.gone += [p for p in plan.digests if p not in paths]
    for path in plan.gone:
        plan.digests.pop(path, None)
        plan.reads.pages.pop(path, None)
    plan.reads = plan.reads.trimmed()


def finished(plan: Plan) -> Report:
    """Fill the report: counts, and the seconds of each stage."""
    report, m = plan.report, plan.marks
    report.pages, report.rendered = len(plan.pages), len(plan.todo) + len(plan.early)
    report.early = len(plan.early)
    report.written = len(plan.changed_pages) + plan.extra_written + plan.downloads_written
    report.removed, report.full = len(plan.gone), plan.full
    searching = sum(plan.searching)
    report.seconds = {
        "load": m["site"] - m["load"],  # the checks run meanwhile, waited for in "site"
        "site": m["first"] - m["site"],
        "open pages": m["plan"] - m["first"],
        "diff": m["choose"] - m["plan"],
        "plan": m["render"] - m["choose"],
        "render": m["collect"] - m["render"] - (searching if plan.streaming else 0.0),
        "collect": m["write"] - m["collect"],
        "write": m["downloads"] - m["write"] - (0.0 if plan.streaming else searching),
        "downloads": m["remember"] - m["downloads"],
        "search index": searching,
        "save state": m["end"] - m["remember"],
    }
    return report
