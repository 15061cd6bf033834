"""What several test modules share (imported as ``support``: pytest puts
this folder on the import path)."""

from __future__ import annotations

from simulation.cli import main

TWO_CEOS = "id,role,manager,unit\nceo,ceo,,\ns,senior,ceo,\nboss,ceo,,\nm,middle,s,u\nf,frontline,m,u\n"
"""An org chart that names two CEOs: valid CSV, refused at row 4."""


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """Run ``orgchange ARGV`` in this process; returns (exit status, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
