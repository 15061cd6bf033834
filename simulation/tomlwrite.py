"""Write TOML: the standard library reads it (`tomllib`) but cannot write it.

Only what a configuration or an experiment holds is supported: tables of booleans, integers,
finite floats, strings, lists and inline tables. `dumps` puts a table's plain
keys before its sub-tables, as TOML requires.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def key(name: str) -> str:
    """A TOML key: bare where allowed, else a quoted string."""
    return name if _BARE_KEY.match(name) else string(name)


def string(text: str) -> str:
    """A TOML basic string, with the escapes TOML requires."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value(v: Any) -> str:
    """One TOML value (a nested mapping becomes an inline table)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"TOML cannot hold {v!r} here")
        return repr(v)  # repr round-trips exactly, and its forms (1e-05, 0.1) are valid TOML
    if isinstance(v, str):
        return string(v)
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{key(str(k))} = {value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if hasattr(v, "item"):  # a numpy scalar
        return value(v.item())
    raise TypeError(f"TOML cannot hold a {type(v).__name__}: {v!r}")


def dumps(tables: Mapping[str, Any], comment: str = "") -> str:
    """A whole document from nested mappings: mappings become ``[tables]``."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    _table(lines, [], tables)
    return "\n".join(lines).lstrip("\n") + "\n"


def _table(lines: list[str], path: list[str], table: Mapping[str, Any]) -> None:
    plain = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    nested = {k: v for k, v in table.items() if isinstance(v, Mapping)}
    if path and (plain or not nested):
        lines += ["", "[" + ".".join(key(p) for p in path) + "]"]
    lines += [f"{key(str(k))} = {value(v)}" for k, v in plain.items()]
    for k, sub in nested.items():
        _table(lines, [*path, str(k)], sub)
