"""For each problem code it can show, a YAML file that alone in a content folder is reported so."""

from __future__ import annotations

from types import MappingProxyType

_STANCE = """
sources:
  - {id: paper-one, kind: paper, title: On scaling}
actors:
  - {id: ann-author, name: Ann Author}
"""

# Codes missing here have no single-file example: a missing folder, a file too large, a build's
# output, an archive, a theme, an argumentation framework file.
EXAMPLES: MappingProxyType[str, str] = MappingProxyType(
    {
        "KB001": "claims:\n  - id: a-claim\n    text: [unclosed\n",
        "KB004": "claims:\n  - id: a-claim\n    text: One.\n    text: Two.\n",
        "KB006": "claims:\n  - !!python/object:os.system {}\n",
        "KB007": "claims: " + "[" * 70 + "]" * 70 + "\n",
        "KB008": "claimz:\n  - id: a-claim\n    text: One.\n",
        "KB011": "# nothing here yet\n",
        "KB012": 'claims:\n  - id: a-claim\n    text: "Scaling \\e[2J works."\n',
        "KB101": "claims:\n  - id: a-claim\n    text: One.\n    knd: empirical\n",
        "KB102": "claims:\n  - id: a-claim\n    text: One.\n    kind: guess\n",
        "KB103": "claims:\n  - id: a-claim\n",
        "KB104": "claims:\n  - id: A Claim\n    text: One.\n",
        "KB201": "claims:\n  - {id: a-claim, text: One.}\n  - {id: a-claim, text: Two.}\n",
        "KB202": "claims:\n  - {id: a-claim, text: One., supports: [no-such-claim]}\n",
        "KB203": (
            _STANCE + "claims:\n  - {id: a-claim, text: One.}\nstances:\n  - {actor: a-claim, "
            "claim: a-claim, source: paper-one, quote: One., locator: p. 1}\n"
        ),
        "KB204": "claims:\n  - {id: a-claim, text: One., rebuts: [a-claim]}\n",
        "KB205": (
            "claims:\n  - {id: a-claim, text: One., supports: [b-claim]}\n"
            "  - {id: b-claim, text: Two., supports: [a-claim]}\n"
        ),
        "KB207": (
            "claims:\n  - {id: a-claim, text: One.}\n  - {id: b-claim, text: Two., "
            "undercuts: [a-claim]}\n"
        ),
        "KB208": (
            _STANCE + "claims:\n  - {id: a-claim, text: One., contradicts: [b-claim]}\n"
            "  - {id: b-claim, text: Two.}\nstances:\n"
            "  - {actor: ann-author, claim: a-claim, source: paper-one, quote: One., locator: p1}\n"
            "  - {actor: ann-author, claim: b-claim, source: paper-one, quote: Two., locator: p2}\n"
        ),
        "KB301": (
            "sources:\n  - {id: paper-one, kind: paper, title: On scaling, url: 'javascript:x'}\n"
        ),
        "KB302": (
            "sources:\n  - {id: paper-one, kind: paper, title: On scaling, date: 2999-01-01}\n"
        ),
        "KB501": "claims:\n  - {id: a-claim, text: One.}\n",
        "KB502": "sources:\n  - {id: paper-one, kind: paper, title: On scaling}\n",
        "KB503": "actors:\n  - {id: ann-author, name: Ann Author}\n",
        "KB504": (
            "questions:\n  - {id: q-one, title: Does it work?}\nclaims:\n"
            "  - {id: a-claim, text: One., answers: {question: q-one, side: pro}}\n"
        ),
        "KB505": (
            _STANCE + "claims:\n  - {id: a-claim, text: One.}\nstances:\n  - {actor: ann-author, "
            "claim: a-claim, source: paper-one, locator: p1, quote: '" + "word " * 61 + "'}\n"
        ),
        "KB506": "claims:\n  - {id: a-claim, text: AGI by 2030., kind: forecast}\n",
        "KB601": "claims:\n  - {id: a-claim, text: TODO write the claim}\n",
        "KB602": (
            "questions:\n  - {id: q-one, title: Does it work?}\n"
            "claims:\n  - {id: a-claim, text: One.}\n"
        ),
    }
)
