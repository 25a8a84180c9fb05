"""The catalogue of problem codes: each code's severity, title, default hint and explanation."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from kb.errors import Severity
from kb.errors.examples import EXAMPLES

E, W, A = Severity.error, Severity.warning, Severity.advice


class Code(StrEnum):
    """One problem code: what it means, how to fix it, and a file that shows it."""

    # A member is the code's own text ("KB207"), so it stands wherever a code is written.

    severity: Severity
    title: str  # type: ignore[assignment]  # reason: the catalogue's word; a code is never title-cased
    hint: str
    explanation: str

    def __new__(
        cls, code: str, severity: Severity, title: str, hint: str, explanation: str
    ) -> Code:
        member = str.__new__(cls, code)
        member._value_ = code
        member.severity = severity
        member.title = title
        member.hint = hint
        member.explanation = explanation
        return member

    KB001 = (
        "KB001",
        E,
        "YAML syntax error (tabs, unclosed brackets, bad indentation)",
        "fix the YAML at the place shown; indent with spaces, close every bracket and quote",
        "The file is not valid YAML, so none of its records can be read.",
    )
    KB002 = (
        "KB002",
        E,
        "the file is not UTF-8, or holds a NUL byte (a BOM is fine)",
        "save the file as UTF-8",
        "Files are read as UTF-8 text; other encodings and binary files are refused.",
    )
    KB003 = (
        "KB003",
        E,
        "the file is larger than 5 MB",
        "split the records over several files",
        "A file over 5 MB is refused without being read, which bounds what a hostile file costs.",
    )
    KB004 = (
        "KB004",
        E,
        "a key appears twice in one mapping",
        "remove one of the two keys",
        "YAML would silently keep the last of two equal keys; the loader refuses both instead.",
    )
    KB005 = (
        "KB005",
        E,
        "more than 100 alias uses in one file (alias bombs)",
        "write the values out instead of aliasing them",
        "Aliases (*name) can make a small file expand to gigabytes; more than 100 are refused.",
    )
    KB006 = (
        "KB006",
        E,
        "a YAML tag such as `!!python/object`",
        "remove the tag: records are plain mappings, lists and text",
        "Tags could ask a loader to build objects; the loader accepts plain data only.",
    )
    KB007 = (
        "KB007",
        E,
        "nesting deeper than 64 levels",
        "flatten the structure: records are never that deep",
        "Deeply nested lists or mappings are refused at the first level past 64.",
    )
    KB008 = (
        "KB008",
        E,
        "a document is not a mapping of record kinds, or names an unknown kind",
        "start each document with a kind such as 'claims:' or 'sources:'",
        "Each YAML document maps record kinds (claims, sources, ...) to records.",
    )
    KB009 = (
        "KB009",
        E,
        "a file cannot be read, vanished, or is a link pointing outside the KB",
        "keep every file of the knowledge base inside its folder",
        "Links that leave the content folder, pipes and devices are refused, for YAML files, "
        "kb.yaml and theme overrides alike, so a build never publishes a file from elsewhere.",
    )
    KB010 = (
        "KB010",
        E,
        "the content folder does not exist",
        "run from a folder that holds 'claims/', or pass --kb PATH",
        "There is no knowledge base at the path given.",
    )
    KB011 = (
        "KB011",
        W,
        "a file holds no records",
        "add records such as 'claims:', or delete the file",
        "An empty file (or one holding only comments) is probably a mistake.",
    )
    KB012 = (
        "KB012",
        E,
        "text holds a control character (ESC, C1 codes: written by `\\e`, `\\x1b` escapes)",
        "remove the escape: text is printed to terminals and pages",
        "Control characters can rewrite a terminal's screen; text may not hold them.",
    )
    KB101 = (
        "KB101",
        E,
        'unknown key (with "did you mean")',
        "check the spelling against the format (docs/format.md)",
        "A key the record kind does not have is refused rather than ignored.",
    )
    KB102 = (
        "KB102",
        E,
        "wrong type or value (bad enum value, bad date, a list where text is due)",
        "see the record kind in docs/format.md",
        "A value of the wrong type or outside the allowed values.",
    )
    KB103 = (
        "KB103",
        E,
        "missing required key",
        "add the key",
        "A record lacks a key its kind requires.",
    )
    KB104 = (
        "KB104",
        E,
        "malformed ID",
        "use lowercase letters, digits and hyphens, at most 120 characters",
        "IDs name files and links, so they follow one pattern.",
    )
    KB201 = (
        "KB201",
        E,
        "duplicate ID (both places are named)",
        "IDs are unique across the whole knowledge base; rename one",
        "Two records share an ID.",
    )
    KB202 = (
        "KB202",
        E,
        'reference to an ID that does not exist (with "did you mean")',
        "fix the ID, or add the record it names",
        "A record names another that is not in the knowledge base.",
    )
    KB203 = (
        "KB203",
        E,
        "reference to a record of the wrong kind",
        "name a record of the kind the key expects",
        "For example a stance whose `actor` names a claim.",
    )
    KB204 = (
        "KB204",
        E,
        "a claim linked to itself, or undercutting a link it is part of",
        "link the claim to another claim",
        "A claim cannot support or attack itself.",
    )
    KB205 = (
        "KB205",
        W,
        "support cycle",
        "check that the claims do not each rest on the other",
        "Claims that support each other in a ring give each other no independent reason.",
    )
    KB207 = (
        "KB207",
        E,
        "an undercut whose target is not a support link",
        "undercut a support (a relation of type supports, or evidence)",
        "An undercut attacks the link between a reason and what it supports, never a claim: "
        "to attack a claim, rebut it.",
    )
    KB208 = (
        "KB208",
        W,
        "an actor asserts two claims that contradict each other",
        "check both stances against their quotes",
        "The same actor holds both ends of a contradiction.",
    )
    KB301 = (
        "KB301",
        E,
        "a link that is not http, https or DOI",
        "use an http(s) address or a DOI",
        "Other schemes (javascript:, file:, data:) are never published.",
    )
    KB302 = (
        "KB302",
        E,
        "a date in the future (forecast resolution dates excepted)",
        "check the date",
        "A source or stance cannot be dated after today.",
    )
    KB401 = (
        "KB401",
        E,
        "a quote not found in the source's archived text (the closest passage is shown)",
        "copy the quote exactly from the text",
        "With --archive, every quote is looked up in its source's archived text.",
    )
    KB402 = (
        "KB402",
        E,
        "a source's `archive` file is missing from `--archive DIR`",
        "add the file to the archive folder, or fix the name",
        "A source names an archived text that is not there.",
    )
    KB501 = (
        "KB501",
        W,
        "a claim with no stance and no evidence",
        "add who holds it (a stance) or what shows it (evidence)",
        "Nothing records who asserts the claim or what grounds it.",
    )
    KB502 = (
        "KB502",
        W,
        "a source nothing cites",
        "quote it in a stance or evidence, or remove it",
        "A source no record refers to.",
    )
    KB503 = (
        "KB503",
        W,
        "an actor with no stance",
        "add the actor's stances, or remove the actor",
        "An actor who takes no position on any claim.",
    )
    KB504 = (
        "KB504",
        W,
        "a question with positions on one side only",
        "add the claims that answer it the other way",
        "A question answered only yes or only no shows one side of a debate.",
    )
    KB505 = (
        "KB505",
        W,
        "a quote longer than 60 words",
        "quote a sentence or two and mark elisions with '...'",
        "Quotes are short verbatim excerpts, not passages.",
    )
    KB506 = (
        "KB506",
        W,
        "a forecast without a `forecast:` block, or a block on a non-forecast claim",
        "add when and how the forecast resolves, or change the claim's kind",
        "A forecast says when and how it will be settled.",
    )
    KB507 = (
        "KB507",
        W,
        "a forecast resolved without the evidence that settled it",
        "add the evidence that resolved it",
        "A resolution is itself a claim about the world and needs its grounds.",
    )
    KB601 = (
        "KB601",
        W,
        "placeholder text left by `kb new`: `TODO` or `FIXME` in any text field, or "
        "a skeleton's sentence (`the title`, `verbatim quote`, ...); `kb build` refuses to "
        "publish it",
        "replace the placeholder with the record's real text",
        "A skeleton written by `kb new` still holds its placeholder text.",
    )
    KB602 = (
        "KB602",
        A,
        "a claim no question reaches through any chain of links",
        "place it under a question, or link it to a claim that is",
        "A reader browsing by question never meets this claim.",
    )
    KB603 = (
        "KB603",
        A,
        "a side (pro or con) of a question whose claims are all asserted by one voice, or by none",
        "add the claims of other actors who take this side, quoted in their words",
        "One voice alone on a side is worth a second look.",
    )
    KB604 = (
        "KB604",
        A,
        "a question on which no claim one actor asserts attacks a claim another asserts",
        "map where the authors answer each other: a rebut, undercut or contradicts between "
        "their own claims, quoted at both ends",
        "The people on a question never answer each other in this map.",
    )
    KB605 = (
        "KB605",
        A,
        "a quote given as support (an asserting stance, evidence for) that is a question",
        "quote the sentence that asserts the claim",
        "A question asserts nothing.",
    )
    KB606 = (
        "KB606",
        A,
        "a stance or evidence whose quote shares almost none of its claim's content words",
        "check that the quote says what the claim says, or quote the passage that does",
        "A heuristic: below 5% of the claim's content words appear in the quote.",
    )
    KB701 = (
        "KB701",
        E,
        "`--out` of `kb build`/`kb serve` is a dangerous or foreign folder",
        "choose a new or empty folder, or one an earlier build wrote",
        "The site's folder is replaced whole, so a folder the tool did not write (the content "
        "folder, a project root, a home folder) is refused.",
    )
    KB702 = (
        "KB702",
        E,
        "a theme override that is code (a script, an SVG, a template with script "
        "or without the CSP) while `trust_theme_scripts` is off",
        "review the override, then set 'trust_theme_scripts: true' in kb.yaml",
        "Overrides that can run script in readers' browsers are published only when kb.yaml "
        "says so.",
    )
    KB801 = (
        "KB801",
        E,
        "an argumentation framework file (`kb af`) has a line that does not parse",
        "check the line against the format; --from names the format when the suffix does not",
        "ICCMA instances are i23 (`p af N`, then `i j` attacks), apx (`arg(a).`, `att(a,b).`) "
        "or tgf (arguments, `#`, attacks); the hint names the format the line looks like.",
    )
    KB802 = (
        "KB802",
        E,
        "an argumentation framework file (`kb af`) attacks an argument it does not declare",
        "declare the argument, or fix the attack",
        "An attack names an argument the instance never declares, or an i23 number above N.",
    )

    @property
    def code(self) -> str:
        """Return the code's text, such as 'KB207'."""
        return self.value

    @property
    def example(self) -> str | None:
        """Return a YAML file that, alone in a content folder, is reported with this code."""
        return EXAMPLES.get(self.value)


CODES: tuple[Code, ...] = tuple(Code)
CATALOGUE: MappingProxyType[str, Code] = MappingProxyType({c.value: c for c in CODES})


def explain(code: str) -> str | None:
    """Return a code's explanation as text, with its example, or None for an unknown code."""
    entry = CATALOGUE.get(code.upper())
    if entry is None:
        return None
    lines = [
        f"{entry.code} ({entry.severity}): {entry.title}",
        "",
        entry.explanation,
        "",
        f"How to fix it: {entry.hint}.",
    ]
    if entry.example is not None:
        lines += ["", "For example, this file is reported with it:", ""]
        lines += ["    " + line for line in entry.example.rstrip("\n").split("\n")]
    return "\n".join(lines)
