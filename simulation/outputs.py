"""The one rule for writing results: nothing earlier is replaced unless asked.

Every command and function that writes results checks its target here
first. If earlier results stand there, it refuses with an `ArgumentError`
that names ``overwrite`` (and ``resume``, where unfinished results can be
finished): ``--overwrite`` on the command line, ``overwrite=True`` in
Python. Asked to overwrite, it replaces them, and says so.

``resume`` and ``overwrite`` exclude each other (`check_choice`). Two kinds
of target:

* `check_file`: one file, such as a results store or a report;
* `prepare_folder`: a folder that a command fills with files of known names
  (``orgchange run --out DIR``). Other files in the folder are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from simulation.arguments import ArgumentError


def check_choice(resume: bool, overwrite: bool, error: type[ArgumentError] = ArgumentError) -> None:
    """Refuse ``resume`` and ``overwrite`` together: finishing earlier results
    and replacing them exclude each other (checked before anything is
    replaced)."""
    if resume and overwrite:
        raise error("{resume} and {overwrite}: choose one (finish the earlier results, or start again)")


def check_file(path: str | Path, overwrite: bool, argument: str, resumable: bool = False,
               what: str = "file", error: type[ArgumentError] = ArgumentError) -> bool:
    """Check that ``path`` may be written; return whether it exists (and so
    will be replaced).

    Parameters
    ----------
    path
        The file to write.
    overwrite
        Replace an existing file.
    argument
        The argument that gave ``path`` (``"store"``), for the message.
    resumable
        Whether an existing file can be finished instead (``resume``).
    what
        What the file is, for the message: ``"results file"``.
    error
        The `ArgumentError` to raise: a library raises its own subclass
        (`experiments.errors.ExperimentArgumentError`).
    """
    path = Path(path)
    if path.is_dir():
        raise error(f"{{path!r}} is a folder; give the path of a {what}", (argument,), path=str(path))
    if path.exists() and not overwrite:
        remedy = "add {resume} to finish it, or {overwrite} to start again" if resumable else \
            "add {overwrite} to replace it"
        raise error(f"{{path!r}} already exists; {remedy}", (argument,), path=str(path))
    return path.exists()


def prepare_folder(folder: str | Path, names: Sequence[str], overwrite: bool, argument: str = "folder",
                   resumable: bool = False, resume: bool = False,
                   error: type[ArgumentError] = ArgumentError) -> list[str]:
    """Make ``folder`` ready to receive the files ``names``, and return the
    names of earlier results it held.

    A folder that holds none of ``names`` is used as it is (created with its
    parents if missing). One that holds some of them is refused, unless
    ``overwrite``, which deletes them all so that no file of an earlier run
    is left beside the new ones, or ``resume``, which keeps them for the
    caller to finish.

    Parameters
    ----------
    folder
        The output folder.
    names
        Every file the caller may write there (file names, no folders).
    overwrite
        Replace earlier results.
    argument
        The argument that gave ``folder`` (``"folder"``, or ``"out"`` for
        ``--out``), for the message.
    resumable
        Whether the caller can finish earlier results, so that the message
        offers ``resume``.
    resume
        The caller is finishing earlier results: keep them.
    error
        The `ArgumentError` to raise, as for `check_file`.
    """
    check_choice(resume, overwrite, error)
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise error("{path!r} is a file; give a folder", (argument,), path=str(folder))
    existing = [name for name in names if (folder / name).exists()]
    if existing and not (overwrite or resume):
        remedy = "add {resume} to finish them, or {overwrite} to start again" if resumable else \
            f"add {{overwrite}} to replace them, or choose another {{{argument}}}"
        raise error(f"{{path!r}} already holds results ({{names}}); {remedy}", (argument,), path=str(folder),
                    names=", ".join(existing))
    folder.mkdir(parents=True, exist_ok=True)
    if overwrite:
        for name in existing:
            (folder / name).unlink()
    return existing
