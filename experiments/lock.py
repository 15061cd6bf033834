"""One writer per results file: `StoreLock`.

Two processes writing one store destroy each other's work: an
``--overwrite`` that deletes a store another process is still filling, or two
``--resume`` sessions that run the same runs. So whoever writes a store
holds its lock for as long as it writes: an exclusive operating-system lock
on the companion file ``<store>.lock``, which also records who holds it
(process id, host, command and since when), so that a refusal can name them.

Why the standard library's ``fcntl.lockf`` (a POSIX record lock) rather than
a lock library such as filelock:

* The kernel drops the lock when its process ends, however it ends,
  ``kill -9`` included. A lock file left behind by a killed process is
  therefore simply one that nobody holds, and the next writer takes it over
  at once. There is no guessing from a recorded process id whether its
  owner still lives, which goes wrong when ids are reused or the store sits
  on a disk that several machines share.
* It belongs to the process, not to the open file. Worker processes forked
  by the runner do not inherit it, so a killed runner's lock is free even
  while its workers wind down. (filelock's Unix lock is ``flock``, which
  forked children share, and it cannot tell who holds a lock.)
* The record is ours to write, so the message can name the holder.

A record lock has one trap: closing *any* descriptor of the file releases
the process's lock. This module therefore opens the lock file once per lock,
and keeps a registry of the stores this process holds, so that a second
lock on one of them is refused here rather than opening, and closing, the
file again. On Windows, which has no ``fcntl``, ``msvcrt.locking`` locks the
file's first byte; it too ends with its process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path

from experiments.errors import StoreInUse

if sys.platform == "win32":  # Windows has no fcntl
    import msvcrt
else:
    import fcntl

_HELD: set[str] = set()
"""The stores this process holds the lock of (resolved paths)."""


def lock_path(store: str | Path) -> Path:
    """The lock file of ``store``: ``<store>.lock`` next to it."""
    store = Path(store)
    return store.with_name(store.name + ".lock")


class StoreLock:
    """The exclusive right to write the results file ``store``.

    ``with StoreLock(path):`` (or `acquire` and `release`) holds it. Taking
    it never waits: if another process holds it, `acquire` raises
    `StoreInUse` naming the store and that process. A lock file left by a
    process that was killed is taken over. Releasing removes the lock file.
    """

    def __init__(self, store: str | Path) -> None:
        self.store = Path(store)
        self.path = lock_path(self.store)
        self._key = str(self.path.resolve())
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> StoreLock:
        """Take the lock, or raise `StoreInUse`; an `OSError` (say, a folder
        without write permission) names the store."""
        if self._key in _HELD:
            raise StoreInUse(f"results file {str(self.store)!r} is already being written by this process "
                             f"(pid {os.getpid()})")
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as err:  # the store could not be written either: say so in its name
                raise OSError(err.errno, err.strerror, str(self.store)) from None
            if not _try_lock(fd):
                holder = _read_record(fd)
                os.close(fd)  # this process held no lock on it, so closing releases nothing
                raise StoreInUse(f"results file {str(self.store)!r} is in use by {holder}; wait for it to "
                                 f"finish or stop it, then try again")
            # Between our open and our lock, the holder may have released the
            # lock and removed the file: then we hold a file nobody else will
            # see. Keep it only if it is still the lock file.
            try:
                current = os.stat(self.path)
            except FileNotFoundError:
                current = None
            mine = os.fstat(fd)
            if current is not None and (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino):
                break
            os.close(fd)
        _write_record(fd)
        self._fd = fd
        _HELD.add(self._key)
        return self

    def release(self) -> None:
        """Give the lock up and remove the lock file (idempotent)."""
        if self._fd is None:
            return
        if sys.platform != "win32":  # remove the file while still holding it (see `acquire`); Windows cannot
            try:
                self.path.unlink()
            except OSError:
                pass
        os.close(self._fd)  # closing releases the lock
        self._fd = None
        _HELD.discard(self._key)

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform != "win32":
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:  # EAGAIN or EACCES: held by another process
        return False


def _write_record(fd: int) -> None:
    """Who holds the lock, as one line of JSON."""
    record = {"pid": os.getpid(), "host": socket.gethostname(),
              "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python",
              "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(record) + "\n").encode())
    os.lseek(fd, 0, os.SEEK_SET)


def _read_record(fd: int) -> str:
    """The holder, in words, from its record; "another process" if the
    record is not (yet) readable."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        record = json.loads(os.read(fd, 4096).decode())
        where = "" if record["host"] == socket.gethostname() else f" on {record['host']}"
        return f"process {record['pid']}{where} ({record['command']}, since {record['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
