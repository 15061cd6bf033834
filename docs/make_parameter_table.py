"""Print the parameter, constant and metric tables of docs/ODD.md as markdown.

Run from the repository root. It prints the tables; with ``--write`` it
replaces what stands between the ``<!-- tables:begin -->`` and
``<!-- tables:end -->`` markers of docs/ODD.md (tests/test_docs.py checks
that the two agree):

    python docs/make_parameter_table.py --write
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulation import organization, parameters
from simulation.metrics import METRICS
from simulation.parameters import PARAMETERS, SECTIONS

CONSTANTS = [  # (name, value, where, unit, meaning): numbers of the code that are not behaviour
    ("ALL_PAIRS_LIMIT", organization.ALL_PAIRS_LIMIT, "organization.py", "people",
     "Largest group in which within-unit tie generation tests every pair; larger ones draw a binomial tie count."),
]


def _cell(value) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, (list, tuple)):
        return "`[" + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in value) + "]`"
    return f"`{value!r}`"


def _allowed(p: parameters.Parameter) -> str:
    if p.kind == "choice":
        return "one of " + ", ".join(f"`{c}`" for c in p.choices)
    if p.kind == "groups":
        return "subset of " + ", ".join(f"`{c}`" for c in p.choices)
    if p.kind == "weeks":
        return "list of weeks, each in [1, `weeks`]"
    if p.kind == "schedule":
        return "list of `{week, lever, value}` or `{week, depart}` tables"
    if p.kind == "bool":
        return "true / false"
    if p.kind == "str":
        return "path or empty"
    if p.kind == "int":
        high = "2^63-1" if p.high == 2**63 - 1 else str(p.high)
        return f"integer in [{p.low}, {high}]"
    return f"real in [{p.low:g}, {p.high:g}]"


def _row(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def tables() -> str:
    lines = []
    for section in SECTIONS:
        lines += [f"#### `[{section}]`", "",
                  _row(["name", "section", "default", "unit", "allowed", "meaning", "source"]), _row(["---"] * 7)]
        lines += [_row([f"`{p.name}`", section, _cell(p.default), p.unit, _allowed(p), p.doc, p.source or "-"])
                  for p in PARAMETERS.values() if p.section == section]
        lines.append("")
    lines += ["#### Constants in the code", "", _row(["name", "file", "value", "unit", "meaning"]), _row(["---"] * 5)]
    lines += [_row([f"`{name}`", f"`{where}`", _cell(value), unit, meaning])
              for name, value, where, unit, meaning in CONSTANTS]
    lines += ["", "#### Metrics (columns of the time series)", "", _row(["column", "meaning"]), _row(["---"] * 2)]
    lines += [_row([f"`{name}`", doc]) for name, doc in METRICS.items()]
    return "\n".join(lines)


ODD = Path(__file__).resolve().parent / "ODD.md"
BEGIN, END = "<!-- tables:begin -->", "<!-- tables:end -->"


def with_tables(odd: str) -> str:
    """The ODD text with fresh tables between its markers."""
    head, rest = odd.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{tables()}\n{END}{tail}"


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        ODD.write_text(with_tables(ODD.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(tables())
