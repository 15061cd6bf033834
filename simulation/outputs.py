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
  `check_folder` is its check alone, for a caller that writes elsewhere
  first and moves its results into place (`experiments.export`).
"""

from __future__ import annotations

import tempfile
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


def check_folder(folder: str | Path, names: Sequence[str], overwrite: bool, argument: str = "folder",
                 resumable: bool = False, resume: bool = False,
                 error: type[ArgumentError] = ArgumentError) -> list[str]:
    """Check that ``folder`` may receive the files ``names``, changing
    nothing; return the names of earlier results it holds (which
    ``overwrite`` will replace, or ``resume`` finish).

    A folder that holds none of ``names`` (or does not exist yet) is fine.
    One that holds some of them is refused, unless ``overwrite`` or
    ``resume``. `prepare_folder` acts on the answer at once; a caller that
    builds its results elsewhere first (`experiments.export`, which moves a
    finished export into place) checks here before it starts.

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
    for place in (folder, *folder.parents):  # the folder, or the first of its parents that exists
        if place.exists():
            if not place.is_dir():
                raise error("{path!r} is a file; give a folder", (argument,), path=str(place))
            break
    existing = [name for name in names if (folder / name).exists()]
    if existing and not (overwrite or resume):
        remedy = "add {resume} to finish them, or {overwrite} to start again" if resumable else \
            f"add {{overwrite}} to replace them, or choose another {{{argument}}}"
        raise error(f"{{path!r}} already holds results ({{names}}); {remedy}", (argument,), path=str(folder),
                    names=", ".join(existing))
    return existing


def prepare_folder(folder: str | Path, names: Sequence[str], overwrite: bool, argument: str = "folder",
                   resumable: bool = False, resume: bool = False,
                   error: type[ArgumentError] = ArgumentError, keep: Sequence[str] = ()) -> list[str]:
    """Make ``folder`` ready to receive the files ``names``, and return the
    names of earlier results it held.

    It is checked by `check_folder` (same arguments), then created with its
    parents if missing, and a file is written in it and removed: a folder
    the machine will not let us write raises `OSError` naming it and the
    reason (a read-only file system, say) before any work whose results
    would go there. With ``overwrite``, the earlier results are deleted, so
    that no file of an earlier run is left beside the new ones, except
    those in ``keep``: checked like the others, but left for the caller to
    replace itself (a results store, which the runner replaces under its
    lock, whole); with ``resume`` they are all kept for the caller to
    finish.
    """
    existing = check_folder(folder, names, overwrite, argument, resumable, resume, error)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(folder)) from None
    if overwrite:
        for name in existing:
            if name not in keep:
                (folder / name).unlink()
    return existing
