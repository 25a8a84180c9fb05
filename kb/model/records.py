"""Typed records of a knowledge base: questions, claims, sources, actors, stances and links."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9]+(?:-{1,2}[a-z0-9]+)*$"
ID_RE = re.compile(ID_PATTERN[:-1] + r"\Z")  # `$` would let a trailing newline through
MAX_ID_LENGTH = 120
DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _coerce_date(value: Any) -> Any:
    """Turn YAML dates, years and strings into a `YYYY[-MM[-DD]]` string."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    if isinstance(value, str):
        value = value.strip()
        if not DATE_RE.match(value):
            raise ValueError("expected a date written YYYY, YYYY-MM or YYYY-MM-DD")
        if len(value) == 10:
            dt.date.fromisoformat(value)  # rejects 2024-02-30
        return value
    raise ValueError("expected a date written YYYY, YYYY-MM or YYYY-MM-DD")


def _coerce_list(value: Any) -> Any:
    """Let a single value stand where a list is expected."""
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]
    return value


PartialDate = Annotated[
    str,
    BeforeValidator(_coerce_date, json_schema_input_type=str | int),
    Field(pattern=DATE_RE.pattern),
]
RecordId = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)]
IdList = Annotated[
    list[RecordId], BeforeValidator(_coerce_list, json_schema_input_type=list[RecordId] | RecordId)
]
NonEmpty = Annotated[str, Field(min_length=1)]
StrList = Annotated[
    list[NonEmpty], BeforeValidator(_coerce_list, json_schema_input_type=list[NonEmpty] | NonEmpty)
]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
Score = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class Strict(BaseModel):
    """Base for every record: unknown keys are errors, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)


class ClaimKind(StrEnum):
    empirical = "empirical"
    forecast = "forecast"
    causal = "causal"
    definitional = "definitional"
    normative = "normative"
    interpretive = "interpretive"


class Resolution(StrEnum):
    open = "open"
    true = "true"
    false = "false"
    ambiguous = "ambiguous"


class SourceKind(StrEnum):
    paper = "paper"
    preprint = "preprint"
    blog_post = "blog-post"
    newsletter = "newsletter"
    book = "book"
    chapter = "chapter"
    talk = "talk"
    podcast = "podcast"
    video = "video"
    dataset = "dataset"
    social_post = "social-post"
    report = "report"
    web_page = "web-page"


class ActorKind(StrEnum):
    person = "person"
    organisation = "organisation"
    group = "group"


class Position(StrEnum):
    asserts = "asserts"
    denies = "denies"
    qualifies = "qualifies"


class EvidenceKind(StrEnum):
    measurement = "measurement"
    experiment = "experiment"
    benchmark = "benchmark"
    expert_statement = "expert-statement"
    historical_analogy = "historical-analogy"
    argument = "argument"


class Direction(StrEnum):
    supports = "supports"
    rebuts = "rebuts"


class RelationType(StrEnum):
    supports = "supports"
    rebuts = "rebuts"
    undercuts = "undercuts"
    contradicts = "contradicts"
    refines = "refines"
    equivalent = "equivalent"


class Side(StrEnum):
    pro = "pro"
    con = "con"
    mixed = "mixed"


SYMMETRIC = {RelationType.contradicts, RelationType.equivalent}


class Record(Strict):
    """A record with a stable, KB-wide unique ID."""

    kind_name: ClassVar[str] = "record"
    id: RecordId


class Positions(Strict):
    """The claims that answer a question, by side."""

    pro: IdList = Field(default_factory=list)
    con: IdList = Field(default_factory=list)
    mixed: IdList = Field(default_factory=list)


class Question(Record):
    """An open question of the debate and the claims that answer it."""

    kind_name: ClassVar[str] = "question"
    title: Text
    framing: Text | None = None
    summary: Text | None = None  # where it stands, in the editors' words (Markdown)
    tags: StrList = Field(default_factory=list)
    positions: Positions = Field(default_factory=Positions)


class Forecast(Strict):
    """A dated prediction: when and how it resolves, and how it did."""

    resolves: PartialDate
    criteria: Text
    resolution: Resolution = Resolution.open
    resolved_by: IdList = Field(default_factory=list)
    probability: float | None = Field(default=None, ge=0, le=1)


class Answer(Strict):
    """A claim's place among a question's positions, written from the claim's end."""

    question: RecordId
    side: Side


class Claim(Record):
    """One atomic, declarative statement."""

    kind_name: ClassVar[str] = "claim"
    text: Text
    kind: ClaimKind = ClaimKind.empirical
    tags: StrList = Field(default_factory=list)
    notes: Text | None = None
    aka: StrList = Field(default_factory=list)
    negation: RecordId | None = None
    forecast: Forecast | None = None
    answers: Annotated[
        list[Answer], BeforeValidator(_coerce_list, json_schema_input_type=list[Answer] | Answer)
    ] = Field(default_factory=list)
    # Relations written from this claim's end; the loader turns them into Relation records.
    supports: IdList = Field(default_factory=list)
    rebuts: IdList = Field(default_factory=list)
    undercuts: IdList = Field(default_factory=list)
    contradicts: IdList = Field(default_factory=list)
    refines: IdList = Field(default_factory=list)
    equivalent: IdList = Field(default_factory=list)
    supported_by: IdList = Field(default_factory=list)
    rebutted_by: IdList = Field(default_factory=list)

    @field_validator("tags")
    @classmethod
    def _tags_are_slugs(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not ID_RE.match(tag):
                raise ValueError(f"tag {tag!r} must be lowercase letters, digits and hyphens")
        return tags


class Source(Record):
    """A bibliographic record."""

    kind_name: ClassVar[str] = "source"
    kind: SourceKind
    title: Text
    authors: IdList = Field(default_factory=list)
    publisher: Text | None = None
    date: PartialDate | None = None
    url: str | None = None
    doi: str | None = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    arxiv: str | None = Field(default=None, pattern=r"^(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})(v\d+)?$")
    archived_url: str | None = None
    accessed: PartialDate | None = None
    cited_via: RecordId | None = None
    cites: IdList = Field(default_factory=list)
    archive: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.\-]+$", max_length=200)
    notes: Text | None = None


class Actor(Record):
    """A person, an organisation or a group."""

    kind_name: ClassVar[str] = "actor"
    name: Text
    kind: ActorKind = ActorKind.person
    affiliation: Text | None = None
    homepage: str | None = None
    description: Text | None = None


class Quoted(Strict):
    """Fields shared by everything grounded in a verbatim excerpt of a source."""

    source: RecordId | None = None
    quote: Text | None = None
    locator: Text | None = None


class Stance(Record, Quoted):
    """An actor asserting, denying or qualifying a claim, in their own words."""

    kind_name: ClassVar[str] = "stance"
    id: RecordId = ""  # derived by the loader when left out
    actor: RecordId
    claim: RecordId
    position: Position = Position.asserts
    source: RecordId
    quote: Text
    locator: Text
    confidence: float | None = Field(default=None, ge=0, le=1)
    note: Text | None = None


class Evidence(Record, Quoted):
    """Support for or against a claim, grounded in a source."""

    kind_name: ClassVar[str] = "evidence"
    id: RecordId = ""
    claim: RecordId
    direction: Direction = Direction.supports
    kind: EvidenceKind = EvidenceKind.argument
    source: RecordId
    quote: Text
    locator: Text
    summary: Text | None = None
    weight: float | None = Field(default=None, ge=0, le=1)


class Relation(Record, Quoted):
    """A typed link between two claims; an undercut targets a support (a relation or evidence)."""

    kind_name: ClassVar[str] = "relation"
    id: RecordId = ""
    from_: RecordId = Field(alias="from")
    type: RelationType
    to: RecordId
    rationale: Text | None = None
    scheme: Text | None = None  # the argumentation scheme it instantiates (AIF), when named
    group: RecordId | None = None  # supports sharing a group are linked premises of one inference

    model_config = ConfigDict(populate_by_name=True)


class License(Strict):
    """The licence a knowledge base's content is published under."""

    name: Text
    url: str | None = None  # shown as a link only when http(s)


class Config(Strict):
    """Settings of one knowledge base, read from `kb.yaml` beside the records."""

    title: Text = "Debate knowledge base"
    description: Text | None = None
    base_url: str | None = None
    license: License | None = None
    base_scores: dict[str, Score] = Field(default_factory=dict)
    strict: bool = False
    # Theme overrides that add or replace script, or may drop the Content-Security-Policy,
    # are published only when this is set: they are code, reviewed as such.
    trust_theme_scripts: bool = False


KINDS: dict[str, type[Record]] = {
    "question": Question,
    "claim": Claim,
    "source": Source,
    "actor": Actor,
    "stance": Stance,
    "evidence": Evidence,
    "relation": Relation,
}
PLURALS: dict[str, str] = {
    "questions": "question",
    "claims": "claim",
    "sources": "source",
    "actors": "actor",
    "stances": "stance",
    "evidence": "evidence",
    "relations": "relation",
}
CLAIM_LINK_FIELDS: tuple[str, ...] = (
    "supports",
    "rebuts",
    "undercuts",
    "contradicts",
    "refines",
    "equivalent",
)
REVERSE_LINK_FIELDS: dict[str, RelationType] = {
    "supported_by": RelationType.supports,
    "rebutted_by": RelationType.rebuts,
}
Kind = Literal["question", "claim", "source", "actor", "stance", "evidence", "relation"]


def relation_id(source: str, rel_type: str, target: str) -> str:
    """Return the derived ID of a relation; symmetric ones are named in sorted order."""
    if rel_type in SYMMETRIC and target < source:
        source, target = target, source
    return f"{source}--{rel_type}--{target}"
