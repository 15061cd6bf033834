"""Send orgchange a battery of bad inputs and count the clear errors.

    python benchmarks/bad_inputs.py

Each case is a command line (run in this process) or a Python call that
must fail. A command-line case is *clear* when it exits with the status
that `simulation.cli.exits` gives its kind of problem (2 bad input, 3 a
damaged results file, 4 the machine refused), prints exactly one line,
``orgchange: error: ...``, containing the expected words, shows no
traceback and prints nothing on standard output (no plan before the
error). A Python case is clear when it raises the expected exception with
the expected words. The script prints one row per case that is not clear,
and the counts.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD = ("id,role,manager,unit,physician\nceo,ceo,,,\ncmo,senior,ceo,,yes\ncno,senior,ceo,,\ner_mgr,middle,cmo,er,\n"
        "er_1,frontline,er_mgr,er,\ner_2,frontline,er_mgr,er,\nicu_mgr,middle,cno,icu,\nicu_1,frontline,icu_mgr,icu,\n")
EXPERIMENT = """
[experiment]
name = "Battery"
strategies = ["business_as_usual", "mandate"]
replicates = 1
weeks = 4
seed = 1
[base.organization]
staff = 30
[design]
kind = "factorial"
[design.parameters]
influence_rate = [0.02, 0.04]
"""


def edit(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def cases(tmp: Path) -> list[tuple[str, list[str], int, str]]:
    """(name, argv, expected status, words the message must contain)."""
    def file(name: str, text: str) -> str:
        (tmp / name).write_text(text)
        return str(tmp / name)

    exp = file("exp.toml", EXPERIMENT)
    charts = {
        "two CEOs": (edit(GOOD, 4, "cno,ceo,,,"), "row 4: a second CEO"),
        "no CEO": (edit(GOOD, 2, "ceo,senior,cmo,,"), "no CEO"),
        "unknown role": (edit(GOOD, 6, "er_1,nurse,er_mgr,er,"), "unknown role 'nurse'"),
        "unknown manager": (edit(GOOD, 6, "er_1,frontline,boss,er,"), "unknown manager 'boss'"),
        "self manager": (edit(GOOD, 6, "er_1,frontline,er_1,er,"), "reports to themselves"),
        "cycle": (edit(GOOD, 5, "er_mgr,middle,er_1,er,"), "cycle"),
        "no unit": (edit(GOOD, 6, "er_1,frontline,er_mgr,,"), "has no unit"),
        "two unit heads": (edit(GOOD, 8, "icu_mgr,middle,cno,er,"), "already has a middle manager"),
        "frontline manages": (edit(GOOD, 7, "er_2,frontline,er_1,er,"), "frontline staff manage nobody"),
        "middle under frontline": (edit(GOOD, 8, "icu_mgr,middle,er_1,icu,"), "frontline staff manage nobody"),
        "senior under middle": (edit(GOOD, 4, "cno,senior,er_mgr,,"), "a level below them"),
        "unit without manager": (edit(GOOD, 9, "icu_1,frontline,icu_mgr,picu,"), "no middle manager"),
        "physician maybe": (edit(GOOD, 3, "cmo,senior,ceo,,maybe"), "physician must be yes or no"),
        "two physicians": (edit(GOOD, 4, "cno,senior,ceo,,yes"), "second physician"),
        "frontline physician": (edit(edit(GOOD, 3, "cmo,senior,ceo,,"), 6, "er_1,frontline,er_mgr,er,yes"),
                                "must be a senior leader"),
        "CEO only": ("id,role,manager,unit\nceo,ceo,,\n", "nobody at level senior, middle, frontline"),
        "no frontline": ("id,role,manager,unit\nceo,ceo,,\ns,senior,ceo,\nm,middle,s,u\n", "nobody at level frontline"),
        "extra field": (edit(GOOD, 6, "er_1,frontline,er_mgr,er,,x"), "6 fields"),
        "missing column": (edit(GOOD, 1, "id,role,boss,unit"), "missing column(s) manager"),
        "empty chart": ("", "the file is empty"),
        "header only": ("id,role,manager,unit\n", "no rows of people"),
    }
    out = []
    for k, (name, (text, words)) in enumerate(charts.items()):
        out.append((f"chart: {name}", ["run", "--org-chart", file(f"chart{k}.csv", text), "--weeks", "1",
                                       "--out", str(tmp / "o"), "--no-figure"], 2, words))
    out += [(f"chart: {name}", ["run", "--org-chart", path, "--weeks", "1", "--out", str(tmp / "o")], 2, words)
            for name, path, words in [("missing file", str(tmp / "none.csv"), "does not exist"),
                                      ("wrong extension", file("chart.txt", GOOD), "must be a .csv or .graphml"),
                                      ("not GraphML", file("bad.graphml", "<<<"), "not readable GraphML")]]
    run = [("staff too small", ["--staff", "5"], "staff: must be an integer >= 10"),
           ("weeks zero", ["--weeks", "0"], "weeks: must be an integer in [1, 5200]"),
           ("weeks negative", ["--weeks", "-3"], "weeks: must be"),
           ("seed negative", ["--seed", "-1"], "seed: must be"),
           ("unknown strategy", ["--strategy", "mandat"], "did you mean 'mandate'"),
           ("missing config", ["--config", str(tmp / "none.toml")], "does not exist"),
           ("config not TOML", ["--config", file("bad.toml", "[run\nweeks=")], "not valid TOML"),
           ("config unknown key", ["--config", file("typo.toml", "[run]\nweks = 3\n")], "did you mean 'weeks'"),
           ("config wrong table", ["--config", file("table.toml", "[run]\nstaff = 30\n")], "belongs in"),
           ("config lever out of range", ["--config", file("lever.toml", "[levers]\nsteering = 3\n")],
            "steering: must be a number in [0, 1]"),
           ("strategy file bad",
            ["--strategy", file("s.toml", 'name = "x"\ndescription = "y"\n[levers]\nsteering = 2\n')], "steering"),
           ("out is a file", ["--out", file("taken", "")], "is a file; give a folder"),
           ("bad engine", ["--engine", "fast"], "invalid choice")]
    out += [(f"run: {n}", ["run", *a, *(["--out", str(tmp / "o")] if "--out" not in a else []), "--no-figure"],
             2, w) for n, a, w in run]
    out.append(("run: unwritable out", ["run", "--weeks", "1", "--staff", "20", "--out", "/proc/o", "--no-figure"],
                4, "cannot write '/proc/o'"))
    store = str(tmp / "r.sqlite")
    experiment = [
        ("missing file", ["experiment", "run", str(tmp / "none.toml"), "-o", store], 2, "does not exist"),
        ("bad kind", ["experiment", "run", file("k.toml", EXPERIMENT.replace('"factorial"', '"grid"')), "-o", store],
         2, "design.kind: must be one of"),
        ("typo key", ["experiment", "run", file("t.toml", EXPERIMENT.replace("replicates", "replicas")), "-o",
                      store], 2, "did you mean 'replicates'"),
        ("value out of range", ["experiment", "run", file("v.toml", EXPERIMENT.replace("0.04]", "5.0]")), "-o",
                                store], 2, "must be a number in [0, 1]"),
        ("missing chart in a point", ["experiment", "run", file("c.toml", EXPERIMENT.replace(
            "influence_rate = [0.02, 0.04]", 'org_chart = ["gone.csv"]')), "-o", store], 2,
         "design point 0 (org_chart="),
        ("workers 0", ["experiment", "run", exp, "-o", store, "--workers", "0"], 2, "--workers: must be"),
        ("serial with 2 workers", ["experiment", "run", exp, "-o", store, "--executor", "serial", "--workers", "2"],
         2, "one run at a time"),
        ("retry without resume", ["experiment", "run", exp, "-o", store, "--retry-failed"], 2, "only with --resume"),
        ("resume and overwrite", ["experiment", "run", exp, "-o", store, "--resume", "--overwrite"], 2, "choose one"),
        ("output is a folder", ["experiment", "run", exp, "-o", str(tmp), "--overwrite"], 2, "is a folder"),
        ("unwritable store", ["experiment", "run", exp, "-o", "/proc/r.sqlite"], 4, "cannot write '/proc/r.sqlite'"),
        ("unwritable store (sys)", ["experiment", "run", exp, "-o", "/sys/r.sqlite"], 4, "Permission denied"),
        ("check missing", ["experiment", "check", str(tmp / "none.toml")], 2, "does not exist"),
    ]
    out += [(f"experiment: {n}", a, s, w) for n, a, s, w in experiment]
    earlier = str(tmp / "cmp_done")  # the folder of an earlier compare: refused without --overwrite
    Path(earlier).mkdir()
    (Path(earlier) / "outcomes.csv").write_text("")
    compare = [("workers 0", ["--workers", "0"], 2, "--workers: must be"),
               ("replicates 0", ["--replicates", "0"], 2, "--replicates: must be"),
               ("unknown strategy", ["--strategies", "nope"], 2, "unknown preset 'nope'"),
               ("baseline not compared", ["--baseline", "inspire"], 2, "baseline"),
               ("staff too small", ["--staff", "5"], 2, "--staff: must be"),
               ("unwritable out", ["--out", "/proc/cmp"], 4, "cannot write '/proc/cmp'"),
               ("earlier results in out", ["--out", earlier], 2, "or --overwrite to start again"),
               ("resume and overwrite", ["--resume", "--overwrite"], 2, "choose one")]
    for n, a, s, w in compare:
        argv = ["compare", "--replicates", "1", "--weeks", "2", "--staff", "20", "--out", str(tmp / "cmp")]
        argv += ["--strategies", "mandate"] if "--strategies" not in a else []
        out.append((f"compare: {n}", argv + a, s, w))
    out += [("sweep: file and --from", ["sweep", exp, "--from", store], 2, "not both"),
            ("sweep: neither", ["sweep"], 2, "one of them"),
            ("sensitivity: factorial design", ["sensitivity", exp, "--out", str(tmp / "sens")], 2, "morris or sobol"),
            ("strategies show: unknown", ["strategies", "show", "nope"], 2, "unknown preset"),
            ("validate: seed -1", ["validate", "--seed", "-1"], 2, "--seed: must be"),
            ("dashboard: port 0", ["dashboard", "--port", "0"], 2, "--port: must be")]
    header = "measure,level,week,value,respondents\n"
    calibrate = [("missing survey", [str(tmp / "none.csv")], 2, "survey file"),
                 ("share out of range", [file("s1.csv", header + "positive,senior,0,62,\n")], 2,
                  "line 2: value: must be a share in [0, 1]"),
                 ("unknown measure", [file("s2.csv", header + "positiv,senior,0,0.6,\n")], 2,
                  "line 2: measure: must be one of"),
                 ("level for quality", [file("s3.csv", header + "quality,frontline,0,0.6,\n")], 2,
                  "line 2: level: must be one of 'all'"),
                 ("unknown column", [file("s4.csv", "measure,level,vaule\n")], 2, "did you mean 'value'"),
                 ("population 1", [file("s5.csv", header + "positive,senior,0,0.6,\n"), "--population", "1"], 2,
                  "--population: must be an integer >= 2"),
                 ("unknown parameter", [file("s6.csv", header + "positive,senior,0,0.6,\n"), "--config",
                                        file("cal.toml", "[calibration.parameters]\nfrontline_comitment = [0, 1]\n")],
                  2, "did you mean 'frontline_commitment'"),
                 ("unwritable out", [file("s7.csv", header + "positive,senior,0,0.6,\n"), "--out", "/proc/cal"], 4,
                  "cannot write '/proc/cal'")]
    for n, a, s, w in calibrate:
        argv = ["calibrate", *a, "--staff", "20", "--generations", "1"]
        out.append((f"calibrate: {n}", argv if "--out" in a else [*argv, "--out", str(tmp / "cal")], s, w))
    out += [("collaborative: hospitals 0", ["collaborative", "--hospitals", "0", "--out", str(tmp / "col")], 2,
             "--hospitals: must be an integer >= 1"),
            ("collaborative: meaningful 2", ["collaborative", "--meaningful", "2", "--out", str(tmp / "col")], 2,
             "--meaningful: must be a quality gain in (0, 1)")]
    return out


def store_cases(tmp: Path) -> list[tuple[str, list[str], int, str]]:
    """Results files that are missing, wrong, unfinished, damaged or busy."""
    from experiments import run_experiment

    good = tmp / "good.sqlite"
    exp = tmp / "exp.toml"
    run_experiment(exp, good, executor="serial", progress=False)

    def variant(name: str, sql: str | None = None, page: int | None = None, data: bytes | None = None) -> str:
        path = tmp / f"{name}.sqlite"
        path.write_bytes(good.read_bytes() if data is None else data)
        if sql:
            connection = sqlite3.connect(path)
            connection.execute(sql)
            connection.commit()
            connection.close()
        if page is not None:
            with path.open("r+b") as fh:
                fh.seek(page * 4096)
                fh.write(bytes(range(256)) * 16)
        return str(path)

    damaged = {
        "page overwritten": variant("page", page=good.stat().st_size // 4096 // 2),
        "manifest not JSON": variant("json", "UPDATE manifest SET value = '{x' WHERE key = 'design'"),
        "manifest key missing": variant("key", "DELETE FROM manifest WHERE key = 'metrics'"),
        "run missing": variant("runs", "DELETE FROM runs WHERE run_id = 1"),
        "bad status": variant("status", "UPDATE runs SET status = 'odd' WHERE run_id = 0"),
        "bad params": variant("params", "UPDATE runs SET params = 'x' WHERE run_id = 0"),
        "other schema": variant("schema", "UPDATE manifest SET value = '9' WHERE key = 'schema_version'"),
        "empty (interrupted start)": variant("empty", data=b""),
    }
    out = []
    for name, path in damaged.items():
        for command in (["experiment", "status", path], ["export", path, "--out", str(tmp / "exported")],
                        ["report", path, "-o", str(tmp / "report.html")],
                        ["sweep", "--from", path, "--out", str(tmp / "sweep")],
                        ["experiment", "run", str(exp), "-o", path, "--resume"]):
            if name.startswith("empty") and command[-1] == "--resume":
                continue  # an unfinished start is started again: not an error
            out.append((f"store {name}: {command[0]} {command[1] if command[0] == 'experiment' else ''}".strip(),
                        command, 3, "results file"))
    out += [("store missing: status", ["experiment", "status", str(tmp / "none.sqlite")], 2, "does not exist"),
            ("store is a TOML file: status", ["experiment", "status", str(exp)], 2, "not an orgchange results file"),
            ("store is another database", ["experiment", "status", other_database(tmp)], 2,
             "not an orgchange results file"),
            ("report to a full device", ["report", str(good), "-o", "/dev/full", "--overwrite"], 4,
             "No space left on device")]
    return out


def other_database(tmp: Path) -> str:
    path = tmp / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text)")
    connection.commit()
    connection.close()
    return str(path)


def run_case(argv: list[str]) -> tuple[int, str, str]:
    from simulation.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's own errors
            code = exit_.code
        except Exception as exc:  # a traceback would reach the user
            import traceback

            traceback.print_exc(file=err)
            code = f"traceback ({type(exc).__name__})"
    return code, out.getvalue(), err.getvalue()


def api_cases() -> list[tuple[str, object, type, str]]:
    from simulation import Config, OrgChangeModel

    return [("OrgChangeModel(dict)", lambda: OrgChangeModel({"staff": 60}), TypeError, "Config(**values)"),
            ("OrgChangeModel(str)", lambda: OrgChangeModel("x.toml"), TypeError, "must be a Config"),
            ("run(weeks=-1)", lambda: OrgChangeModel(staff=30, weeks=2).run(weeks=-1), ValueError, "weeks: must be"),
            ("run(weeks=1.5)", lambda: OrgChangeModel(staff=30, weeks=2).run(weeks=1.5), ValueError, "weeks"),
            ("Config(staf=)", lambda: Config(staf=30), ValueError, "did you mean 'staff'"),
            ("Config(staff=5)", lambda: Config(staff=5), ValueError, "staff: must be"),
            ("Config(steering=nan)", lambda: Config(steering=float("nan")), ValueError, "steering: must be"),
            ("Config(committee='yes')", lambda: Config(committee="yes"), ValueError, "committee: must be"),
            ("relay gains crossed", lambda: Config(relay_gain_low=0.9, relay_gain_high=0.1), ValueError,
             "relay_gain_low"),
            ("shock after horizon", lambda: Config(weeks=10, impetus_shocks=[20]), ValueError, "impetus_shocks")]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        all_cases = cases(tmp)
        all_cases += store_cases(tmp)
        results = []
        for name, argv, status, words in all_cases:
            code, out, err = run_case(argv)
            clear = (code == status and err.startswith("orgchange: error: ") and err.count("\n") == 1
                     and words in err and "Traceback" not in err and out == "")
            if name.startswith(("run: bad engine",)) or "invalid choice" in words:  # argparse: usage line first
                clear = code == status and words in err and "Traceback" not in err and out == ""
            results.append((name, clear, code, err.strip().splitlines()[-1] if err.strip() else "(nothing)"))
        # A results file in use by another process: a real second process holds its lock.
        holder = subprocess.Popen([sys.executable, "-c", "import sys; from experiments.lock import StoreLock; "
                                   "StoreLock(sys.argv[1]).acquire(); print('held', flush=True); sys.stdin.read()",
                                   str(tmp / "good.sqlite")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        holder.stdout.readline()
        for options in (["--resume"], ["--overwrite"], []):
            code, out, err = run_case(["experiment", "run", str(tmp / "exp.toml"), "-o", str(tmp / "good.sqlite"),
                                       *options])
            results.append((f"store in use: run {' '.join(options)}".strip(),
                            code == 4 and f"in use by process {holder.pid}" in err and err.count("\n") == 1,
                            code, err.strip()))
        holder.stdin.close()
        holder.wait()
    for name, call, kind, words in api_cases():
        try:
            call()
            results.append((f"api: {name}", False, "accepted", ""))
        except Exception as exc:  # noqa: BLE001 - which one is the point
            results.append((f"api: {name}", isinstance(exc, kind) and words in str(exc), type(exc).__name__,
                            str(exc)))
    unclear = [r for r in results if not r[1]]
    for name, _, code, message in unclear:
        print(f"NOT CLEAR  {name}: status {code}: {message}")
    print(f"{len(results) - len(unclear)} of {len(results)} bad inputs gave a clear error")
    return 1 if unclear else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
