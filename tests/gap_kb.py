"""A small knowledge base whose gaps and engagement are counted by hand (see test_gaps.py)."""

from __future__ import annotations

QUESTIONS = """
questions:
  - id: q-one
    title: Does loss keep falling?
    positions:
      pro: [a-pro, k-pro]
      con: [b-con, i-con]
  - id: q-two
    title: Is data running out?
    positions:
      pro: [c-pro, d-pro]
      con: [e-con]
"""

CLAIMS = """
claims:
  - id: a-pro
    text: Loss keeps falling with more compute.
  - id: k-pro
    text: Loss curves remain straight.
  - id: b-con
    text: Loss curves are bending.
    rebuts: [a-pro]
  - id: i-con
    text: Returns from compute are shrinking.
    contradicts: [f-sup]
  - id: f-sup
    text: Compute budgets grow every year.
    supports: [a-pro, h-down]
  - id: j-shared
    text: Measurements of loss are noisy.
    rebuts: [b-con]
  - id: h-down
    text: Labs keep buying chips.
  - id: c-pro
    text: Data stocks are nearly exhausted.
  - id: d-pro
    text: Public text is almost used up.
  - id: e-con
    text: Synthetic data can replace human text.
  - id: n-ref
    text: Public text is almost used up by 2030.
    refines: [d-pro]
  - id: g-lonely
    text: Benchmarks saturate quickly.
  - id: m-one
    text: Chips are getting cheaper.
    supports: [m-two]
  - id: m-two
    text: Training runs get cheaper.
"""

RELATIONS = """
relations:
  - from: b-con
    type: undercuts
    to: f-sup--supports--a-pro
"""

QUOTES = """
stances:
  - id: cy-asks
    actor: cy-c
    claim: c-pro
    source: paper
    quote: Are data stocks nearly exhausted?
    locator: p. 1
  - id: bob-wonders
    actor: bob-b
    claim: c-pro
    position: qualifies
    source: paper
    quote: Are data stocks really exhausted?
    locator: p. 2
  - id: dee-pointer
    actor: dee-d
    claim: a-pro
    source: paper
    quote: This view rests on a misconception.
    locator: p. 3
  - id: bob-named
    actor: bob-b
    claim: a-pro
    position: denies
    source: paper
    quote: Sceptic Bob disputes this view.
    locator: p. 4
evidence:
  - id: ev-asks
    claim: d-pro
    source: paper
    quote: Will public text be almost used up?
    locator: p. 5
  - id: ev-rebuts-asks
    claim: c-pro
    direction: rebuts
    source: paper
    quote: Are data stocks nearly exhausted?
    locator: p. 6
"""

# Who asserts what; each stance quotes its claim's own text, so no quote is off its claim.
ASSERTS = {
    "ann-a": ["a-pro", "f-sup", "j-shared", "n-ref"],
    "dee-d": ["a-pro", "f-sup", "j-shared", "n-ref"],
    "bob-b": ["b-con", "i-con", "j-shared"],
    "cy-c": ["k-pro", "c-pro", "d-pro"],
}
NAMES = {"ann-a": "Ann Author", "bob-b": "Bob Sceptic", "cy-c": "Cy Critic", "dee-d": "Dee Doe"}


def _texts() -> dict[str, str]:
    texts = {}
    for line in CLAIMS.splitlines():
        if "- id: " in line:
            current = line.split("- id: ")[1]
        elif "text: " in line:
            texts[current] = line.split("text: ")[1]
    return texts


def grounds() -> str:
    """Return the YAML of the source, the actors, their stances and the evidence for e-con."""
    texts = _texts()
    lines = ["sources:", "  - id: paper", "    kind: paper", "    title: On loss"]
    lines += ["    authors: [ann-a]", "actors:"]
    for aid, name in NAMES.items():
        lines += [f"  - id: {aid}", f"    name: {name}"]
    lines.append("stances:")
    for aid, claims in ASSERTS.items():
        for cid in claims:
            lines += [f"  - actor: {aid}", f"    claim: {cid}", "    source: paper"]
            lines += [f"    quote: {texts[cid]}", "    locator: p. 9"]
    lines += ["evidence:", "  - claim: e-con", "    source: paper"]
    lines += [f"    quote: {texts['e-con']}", "    locator: p. 9"]
    return "\n".join(lines) + "\n"


def files() -> dict[str, str]:
    """Return the knowledge base's files by name."""
    return {
        "questions.yaml": QUESTIONS,
        "claims.yaml": CLAIMS,
        "relations.yaml": RELATIONS,
        "quotes.yaml": QUOTES,
        "grounds.yaml": grounds(),
    }
