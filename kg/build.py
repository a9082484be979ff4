"""The pipeline end to end: sources -> convert -> validate -> publish.

:func:`build` makes a new release from an explicit set of sources: sources
whose checksum is unchanged keep their graph as it is in the clone of the
current release, changed and new sources are converted again, sources that
left the set are dropped. Nothing is published unless everything validates.
:func:`check` runs the same steps in memory and publishes nothing.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from pyoxigraph import NamedNode, Store

import kg
from kg.artifacts import ArtifactContext, write_artifacts
from kg.convert import Registry, convert_records, parallel, record_key
from kg.convert.agent_names import Names, names_in_graph
from kg.convert.agents import agents_graph, declared_in, named_agents, refresh_agents
from kg.errors import SourceSyntaxError, ValidationFailed
from kg.export.dumps import LOAD_PEAK_GROWTH, EarlyMembers
from kg.harvest import read_provenance
from kg.iris import Minter
from kg.kinds import KINDS
from kg.provenance import SourceSummary, release_metadata
from kg.report import Problem, Report
from kg.sources import Origin, Record, Source, read_records
from kg.sources.rdf import locate
from kg.store.load_peak import PastPeak
from kg.store.releases import Release, ReleaseStore
from kg.store.remote.client import SparqlClient
from kg.store.remote.publish import Upload, check_reachable, upload
from kg.store.staging import StagingView, ViewQueries
from kg.tombstones import next_gone, read_gone, write_gone
from kg.validate import checked_validator, typed_before_change, validate_graphs

# Bump when converters change the triples a record becomes: every source is
# then converted again instead of being kept from the previous release.
FORMAT_VERSION = 1


class Progress(Protocol):
    """What a build tells the person waiting for it."""

    def step(self, message: str) -> None: ...

    def source(self, source: Source, index: int, total: int) -> None: ...

    def records(self, count: int) -> None: ...


class _Quiet:
    def step(self, message: str) -> None:
        pass

    def source(self, source: Source, index: int, total: int) -> None:
        pass

    def records(self, count: int) -> None:
        pass


@dataclass
class BuildOutcome:
    """What a build did: per-source summaries, problems, and the release if published."""

    report: Report
    sources: list[SourceSummary] = field(default_factory=list)
    release: Release | None = None
    seconds: float = 0.0
    # Wall seconds of each step (convert+load, agents, validate, artifact:NAME ...).
    timings: dict[str, float] = field(default_factory=dict)
    # The build process's peak RSS (MiB) so far at the end of each step: where it
    # grows is the step that needed the memory.
    peak_rss_mib: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a step (added to ``timings[name]``) and note the peak RSS after it."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.monotonic() - started
            self.peak_rss_mib[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    @property
    def records(self) -> int:
        return sum(s.records for s in self.sources if s.status != "removed")

    @property
    def triples(self) -> int:
        return sum(s.triples for s in self.sources if s.status != "removed")

    @property
    def published(self) -> bool:
        return self.release is not None


def build(sources: list[Source], store_dir: str, base_iri: str, keep: int = 3,
          progress: Progress | None = None, validator: str = "auto",
          on_error: str = "fail", remote: SparqlClient | None = None) -> BuildOutcome:
    """Publish a new release made of exactly these sources, or raise ValidationFailed.

    ``on_error="skip"`` leaves out records that cannot be read (counted in
    ``report.skipped`` and reported as warnings) instead of failing the build.
    With ``remote``, the release is also put into that SPARQL store, and is
    switched in only if that succeeds (:mod:`kg.store.remote.publish`).
    """
    started = time.monotonic()
    progress = progress or _Quiet()
    minter = Minter(base_iri)
    releases = ReleaseStore(store_dir, keep)
    if remote is not None:
        check_reachable(remote, minter)
    with releases.lock():
        current = releases.current()
        previous = current.manifest() if current else None
        fresh = (previous is None or previous.get("base_iri") != base_iri
                 or previous.get("format_version") != FORMAT_VERSION)
        staging = releases.stage(fresh=fresh)
        sent: Upload | None = None
        early = EarlyMembers(staging.path / ".early-dumps")
        try:
            view = staging.view
            kept = {} if fresh else previous.get("sources", {})
            run = _Run(view, minter, progress, staging.id, validator, on_error)
            # Dumps of converted graphs are started once they are loaded (a MARC
            # catalogue's once its bulk load has passed its memory peak): helper processes
            # at the lowest priority write them on whatever CPU the build leaves idle (the
            # end of Oxigraph's bulk load, then the core validation and the index leave).
            outcome = run.load_and_validate(sources, kept, loaded=lambda: early.start(view),
                                            converted=early.start_past_load_peak)
            if not outcome.report.conforms:
                raise ValidationFailed(f"{len(outcome.report.errors)} problems; nothing published",
                                       outcome)
            with outcome.step("finish"):
                manifest = run.finish(outcome, previous, current, staging.path)
            write_artifacts(ArtifactContext(
                view, staging.path, manifest, minter, current.path if current else None,
                **({} if fresh else run.changes(outcome)), early_members=early),
                outcome.step, progress.step)
            early.close()
            if remote is not None:
                with outcome.step("send"):
                    sent = _upload(remote, view, minter, manifest, previous, outcome,
                                   run.derived, progress)
            with outcome.step("publish"):
                outcome.release = releases.publish(staging, manifest,
                                                   sent.swap if sent is not None else None)
        except BaseException:
            early.close()
            if sent is not None:
                sent.abort()
            releases.discard(staging)
            raise
    outcome.seconds = time.monotonic() - started
    return outcome


def _upload(remote: SparqlClient, view: StagingView, minter: Minter, manifest: dict[str, Any],
            previous: dict | None, outcome: BuildOutcome, derived: list[NamedNode],
            progress: Progress) -> Upload:
    """Send the release's new and changed graphs to the remote store's staging graphs."""
    changed = [minter.graph(s.name) for s in outcome.sources
               if s.status in ("new", "changed")] + derived
    kept = [NamedNode(g) for g in manifest["graphs"]
            if NamedNode(g) not in changed and NamedNode(g) != minter.meta_graph]
    parent = previous.get("id") if previous else None
    return upload(remote, view, minter, manifest["id"], parent, changed, kept, progress)


def check(sources: list[Source], base_iri: str, progress: Progress | None = None,
          validator: str = "auto", on_error: str = "fail") -> BuildOutcome:
    """Convert and validate sources in memory; publish nothing."""
    started = time.monotonic()
    run = _Run(StagingView(Store()), Minter(base_iri), progress or _Quiet(), "check", validator,
               on_error)
    outcome = run.load_and_validate(sources, {})
    outcome.seconds = time.monotonic() - started
    return outcome


class _Run:
    """One build's state: the store being filled, origins of records, problems."""

    def __init__(self, view: StagingView, minter: Minter, progress: Progress,
                 release_id: str, validator: str = "auto", on_error: str = "fail") -> None:
        self.view = view
        self.validator = checked_validator(validator)
        self.skip = on_error == "skip"
        self.derived: list[NamedNode] = []  # graphs derived from the sources that changed
        self.redeclared: set[str] = set()  # agents whose declaration in the agents graph changed
        self.minter = minter
        self.progress = progress
        self.release_id = release_id
        self.now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        self.report = Report()
        self.registry = Registry()
        self.by_graph: dict[str, Source] = {}
        self.before: set[str] = set()
        # Whether the store held no graph before this build (a first build, or a fresh one).
        self.started_empty = False
        self.named_before: set[str] = set()
        self.typed_before: set[str] | None = None
        # Names that agents get in the graphs converted in worker processes, by graph IRI.
        self.names: dict[str, Names] = {}
        self.converted: Callable[[str, Path], None] | None = None

    def load_and_validate(self, sources: list[Source], kept: dict[str, Any],
                          loaded: Callable[[], None] = lambda: None,
                          converted: Callable[[str, Path], None] | None = None,
                          ) -> BuildOutcome:
        """Load changed sources into the store, drop removed ones (then call ``loaded``),
        validate. ``converted`` gets each graph whose whole text is kept before its
        load (a large MARC file's)."""
        self.converted = converted
        outcome = BuildOutcome(self.report)
        with outcome.step("convert+load"):
            changed, removed = self._load_sources(outcome, sources, kept)
        loaded()
        changed_graphs = [self.minter.graph(s.name) for s in changed]
        with outcome.step("agents"):
            self._refresh_agents(changed_graphs)
        with outcome.step("validate"):
            self.progress.step("validating")
            unchanged_graphs = [self.minter.graph(s.name) for s in sources if s not in changed]
            if changed or removed:
                self.report.extend(validate_graphs(self.view, changed_graphs, unchanged_graphs,
                                                   self.minter, self.origin_of, self.validator,
                                                   self.typed_before))
        return outcome

    def _load_sources(self, outcome: BuildOutcome, sources: list[Source],
                      kept: dict[str, Any]) -> tuple[list[Source], list[str]]:
        """Drop removed sources, load changed ones; (changed sources, removed names)."""
        checksums = {s.name: s.checksum() for s in sources}
        names = {s.name for s in sources}
        changed = [s for s in sources if kept.get(s.name, {}).get("checksum") != checksums[s.name]]
        removed = [name for name in kept if name not in names]
        self.by_graph = {self.minter.graph(s.name).value: s for s in sources}
        touched = [self.minter.graph(s.name) for s in changed] + [self.minter.graph(n)
                                                                  for n in removed]
        self.started_empty = not self.view.graphs()
        self.before = self.view.entities(touched)
        self.typed_before = typed_before_change(self.view, touched) if kept else None
        self.named_before = named_agents(self.view, touched)
        for name in removed:
            self.progress.step(f"dropping {kept[name]['file']}")
            self.view.remove_graph(self.minter.graph(name))
            outcome.sources.append(SourceSummary(name, kept[name]["file"], kept[name]["format"],
                                                 kept[name]["checksum"], "removed"))
        for index, source in enumerate(sources, start=1):
            self.progress.source(source, index, len(sources))
            if source in changed:
                summary = self._load(source, checksums[source.name],
                                     "changed" if source.name in kept else "new")
            else:
                summary = SourceSummary(source.name, source.label, source.format,
                                        checksums[source.name], "unchanged",
                                        **_kept_counts(kept[source.name]))
            outcome.sources.append(summary)
        return changed, removed

    def _refresh_agents(self, changed_graphs: list[NamedNode]) -> None:
        """Declare the agents that changed graphs name; the agents graph counts as changed
        (appended to ``changed_graphs``) when it did."""
        self.progress.step("declaring agents named in records")
        # Names the workers saw are not read back from the store (see kg.convert.agent_names).
        named = {g.value: self.names[g.value] if g.value in self.names
                 else names_in_graph(ViewQueries(self.view), g) for g in changed_graphs}
        redeclared = refresh_agents(self.view, self.minter, self.named_before | self.before
                                    | declared_in(self.view, changed_graphs), named)
        self.names.clear()  # large at 250,000 records, and not needed after this step
        if redeclared:
            self.redeclared = redeclared
            self.before |= redeclared
            self.derived.append(agents_graph(self.minter))
            changed_graphs.append(agents_graph(self.minter))
            if self.typed_before is not None:  # references to agents it dropped: again
                self.typed_before |= redeclared

    def _load(self, source: Source, checksum: str, status: str) -> SourceSummary:
        graph = self.minter.graph(source.name)
        summary = SourceSummary(source.name, source.label, source.format, checksum, status,
                                loaded_in=self.release_id, generated_at=self.now)
        try:
            if source.is_rdf:
                summary.harvest = read_provenance(source.path)
                summary.triples = self.view.load_rdf(graph, source.path, source.format,
                                                     source.label)
                summary.records = len(self.view.entities([graph]))
            elif parallel.worth_it(source):
                self._load_apart(source, graph, summary)
            else:
                records = read_records(source)
                counted = _Counted(parallel.readable(records, self.report) if self.skip
                                   else records, self.progress)
                quads = convert_records(counted, graph, self.minter, self.report, self.registry)
                summary.triples = self.view.replace_graph(graph, quads)
                summary.records = counted.count
        except SourceSyntaxError as error:
            self.report.add(Problem(error.detail, Origin(error.file, error.location)))
            self.view.remove_graph(graph)
        return summary

    def _load_apart(self, source: Source, graph: NamedNode, summary: SourceSummary) -> None:
        """A large MARC file, converted apart (:func:`kg.convert.parallel.convert_marc`) and
        bulk loaded; what the conversion found (keys, problems, agents' names) is taken in
        once the load is past its memory peak, in its tail, where a core is left idle."""
        self.view.remove_graph(graph)
        names: Names = {}
        converting: list[parallel.Converted] = []
        watches: list[PastPeak] = []

        def convert(sink: IO[bytes]) -> parallel.Converted:
            converting.append(parallel.convert_marc(source, graph, self.minter, self.skip,
                                                    self.progress, sink))
            return converting[0]

        def before_load(text: Path) -> None:
            if self.converted is not None:
                self.converted(graph.value, text)
            watches.append(PastPeak(lambda: converting[0].settle_ahead(
                self.report, self.registry, names), growth=LOAD_PEAK_GROWTH).start())

        try:
            done = self.view.load_ntriples_written_by(graph, convert, picks=True,
                                                      kept=before_load)
        finally:
            for watch in watches:
                watch.stop()  # waits for the taking in, if under way
        done.settle(self.report, self.registry, names)  # unless taken in during the load
        summary.records, summary.triples = done.records, done.triples
        self.names[graph.value] = names

    def changes(self, outcome: BuildOutcome) -> dict[str, Any]:
        """What changed against the parent release, for artifact writers that update theirs."""
        graphs = {self.minter.graph(s.name).value for s in outcome.sources
                  if s.status != "unchanged"}
        graphs |= {graph.value for graph in self.derived} | {self.minter.meta_graph.value}
        agents = agents_graph(self.minter).value  # only these agents changed in it
        subjects = {agents: frozenset(self.redeclared)} if agents in graphs else {}
        return {"changed_graphs": frozenset(graphs), "changed_subjects": subjects}

    def origin_of(self, iri: str) -> Origin | None:
        """Where the entity with this IRI is described, for reports."""
        origin = self.registry.origins.get(iri)
        if origin is not None:
            return origin
        for graph in sorted(self.view.graphs_of(NamedNode(iri))):
            source = self.by_graph.get(graph)
            if source is None:
                continue
            if source.is_rdf:
                return locate(source, iri)
            return _find_record(source, iri, self.minter) or Origin(source.label)
        return None

    def finish(self, outcome: BuildOutcome, previous: dict | None, current: Release | None,
               folder: Path) -> dict[str, Any]:
        """Write the metadata graph and dropped-entity list; return the manifest."""
        meta = self.minter.meta_graph
        self.view.remove_graph(meta)
        self.view.add(release_metadata(self.minter, self.release_id, self.now, outcome.sources),
                      meta)
        previous_gone = read_gone(current.path if current else None)
        gone: dict[str, str] = {}
        # Nothing can go from a store that started empty: its ``before`` holds only the
        # agents it declared (250,000 MARC records: 6 s to list the entities again).
        # Entities gone in an earlier release still need ``after``: some may be back.
        if previous_gone or (self.before and not self.started_empty):
            touched = [self.minter.graph(s.name) for s in outcome.sources
                       if s.status in ("new", "changed")] + self.derived
            after = self.view.entities(touched)
            still_defined = {iri for iri in self.before - after
                             if self.view.types_of(NamedNode(iri)) & _KIND_CLASSES}
            gone = next_gone(previous_gone, self.before - still_defined, after | still_defined,
                             self.release_id)
        write_gone(folder, gone)
        return {
            "id": self.release_id,
            "created": self.now,
            "base_iri": self.minter.base,
            "format_version": FORMAT_VERSION,
            "kg_version": kg.__version__,
            "parent": previous.get("id") if previous else None,
            "sources": {s.name: s.as_manifest() for s in outcome.sources
                        if s.status != "removed"},
            "removed_sources": [s.name for s in outcome.sources if s.status == "removed"],
            "triples": self.view.count(),
            "counts": self.view.count_by_kind(),
            "gone": len(gone),
            # Every graph of the release (sources, derived, metadata): what readers of
            # a remote store name as their dataset.
            "graphs": sorted(g.value for g in self.view.graphs()),
        }


_KIND_CLASSES = {kind.rdf_type for kind in KINDS.values()}


def _kept_counts(entry: dict[str, Any]) -> dict[str, Any]:
    return {"records": entry.get("records", 0), "triples": entry.get("triples", 0),
            "loaded_in": entry.get("loaded_in", ""), "generated_at": entry.get("generated_at", ""),
            "harvest": entry.get("harvest")}


def _find_record(source: Source, iri: str, minter: Minter) -> Origin | None:
    """The origin of a record in an unchanged tabular source (read again on demand)."""
    ref = minter.parse(iri)
    if ref is None:
        return None
    try:
        for record in read_records(source):
            if record.kind == ref.kind and record_key(record) == ref.key:
                return record.origin
    except SourceSyntaxError:
        return None
    return None


class _Counted:
    """Counts records as they stream by, and tells the progress display."""

    def __init__(self, records: Iterable[Record], progress: Progress) -> None:
        self._records = iter(records)
        self._progress = progress
        self.count = 0

    def __iter__(self) -> Iterator[Record]:
        return self

    def __next__(self) -> Record:
        try:
            record = next(self._records)
        except StopIteration:
            self._progress.records(self.count % 1000)
            raise
        self.count += 1
        if self.count % 1000 == 0:
            self._progress.records(1000)
        return record
