"""The planner's report (experiments/report.py, `orgchange report`): one
self-contained HTML file, checked by reading it and by rendering it in
headless Chromium."""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from experiments import Experiment, load, run_experiment
from experiments.analysis import compare
from experiments.report import CAVEATS, build_report
from simulation.cli import main

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

EXPERIMENT = """
[experiment]
name = "Small comparison"
question = "Does a CEO who inspires and then leaves beat a mandate?"
strategies = ["business_as_usual", "mandate", "ceo_leaves.toml"]
replicates = 3
weeks = 40
seed = 31
[base.organization]
staff = 60
"""

CEO_LEAVES = """
name = "Inspiring CEO who leaves"
description = "The CEO speaks about quality with passion and rounds on the wards, then leaves in week 20."
[levers]
involved = ["ceo"]
passion_display = 0.9
rounders = ["ceo"]
rounding_frequency = 1.0
follow_through = 0.8
schedule = [{week = 20, depart = "ceo"}]
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    (folder / "ceo_leaves.toml").write_text(CEO_LEAVES, encoding="utf-8")
    (folder / "small.toml").write_text(EXPERIMENT, encoding="utf-8")
    path = folder / "results.sqlite"
    run_experiment(Experiment.from_toml(folder / "small.toml"), path, executor="serial", progress=False)
    return path


@pytest.fixture(scope="module")
def page(store) -> str:
    return build_report(load(store))


def test_the_report_holds_every_part_a_planner_needs(page):
    assert "Does a CEO who inspires and then leaves beat a mandate?" in page
    for description in ("then leaves in week 20", "Structure only"):  # a user file's and a preset's
        assert description in page
    assert "A leader leaves in week 20" in page
    for part in ("<h2>Outcomes</h2>", "Difference from the baseline", "How things change over time",
                 "Effort against benefit", "Caveats", "Appendix: configuration"):
        assert part in page, part
    assert re.search(r"\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]", page), "means with 95% intervals"
    assert "Commitment gain kept after the departure" in page, "sustainment, as a leader departs"
    assert all(html.escape(c) in page for c in CAVEATS)
    assert "Root seed</th><td>31<" in page and "orgchange git commit" in page
    assert "[base.organization]" in page, "the experiment file itself"


def brief(page: str) -> list[str]:
    """The lines of "In brief", as text."""
    section = page.split("<h2>In brief</h2>", 1)[1].split("<h2>", 1)[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li>(.*?)</li>", section)]


def test_the_title_is_the_question_and_the_brief_weighs_effort_on_every_outcome(page):
    assert "<h1>Does a CEO who inspires and then leaves beat a mandate?</h1>" in page
    assert "<title>Does a CEO who inspires" in page
    lines = brief(page)
    for outcome in ("commitment: Front line", "QI practice: Front line", "patient-care quality", "trust", "cynicism"):
        line = next((x for x in lines if outcome in x and x.startswith(("Highest", "Lowest"))), None)
        assert line is not None, f"no line on {outcome}: {lines}"
        assert re.search(r"at \d+\.\d leader-hours a week", line), f"{outcome}: effort not weighed: {line}"
    assert any("After the departure in week 20" in x and "kept" in x for x in lines), "sustainment in brief"


def test_trust_cynicism_and_the_ceos_practice_without_an_interval(store, page):
    assert "Final trust in leadership" in page and "Final cynicism" in page
    assert "Mean trajectories of trust in leadership and cynicism" in page
    row = page.split("Runs in which the CEO practises QI at the end", 1)[1].split("</tr>", 1)[0]
    assert "[" not in row, f"one person's 0/1 state has no interval: {row}"
    summary = compare(load(store)).summary
    ceo = summary[summary["outcome"] == "practice_ceo"]
    assert ceo["low"].isna().all() and ceo["high"].isna().all()


def test_the_configuration_is_a_collapsible_appendix(page):
    appendix = page.split("<h2>Appendix: configuration", 1)[1]
    assert "<details><summary>The experiment file</summary>" in appendix
    assert "[base.organization]" in appendix
    assert "<h2>" not in appendix.split("</details>", 1)[0], "the appendix comes last"
    assert "white-space: pre-wrap" in page, "long lines wrap instead of being cut off"


def test_a_report_on_an_org_chart_names_it_and_its_head_count(tmp_path):
    chart = Path(__file__).resolve().parents[1] / "examples" / "community_hospital.csv"
    experiment = Experiment.from_dict({
        "experiment": {"name": "Chart", "question": "Which strategy suits our hospital?",
                       "strategies": ["business_as_usual", "mandate"], "replicates": 2, "weeks": 10, "seed": 3},
        "base": {"organization": {"org_chart": str(chart)}}})
    run_experiment(experiment, tmp_path / "c.sqlite", executor="serial", progress=False)
    page = build_report(load(tmp_path / "c.sqlite"))
    people = sum(1 for _ in chart.open(encoding="utf-8")) - 1
    assert f"The org chart community_hospital.csv ({people} people)" in page
    appendix = page.split("<h2>Appendix: configuration", 1)[1]
    assert not re.search(r"^staff = ", html.unescape(appendix), re.MULTILINE), "no generated size beside the chart"
    assert "generated hospital" not in page


def test_the_report_stands_alone(page):
    images = re.findall(r'<img alt="[^"]+" src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= 2, "trajectories and effort against benefit, embedded"
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", page), "nothing loads from elsewhere"
    assert "<script" not in page, "readable without running anything"


def test_sustainment_is_reported_only_for_the_strategy_with_a_departure(store):
    summary = compare(load(store)).summary
    kept = summary[(summary["outcome"] == "sustainment") & (summary["n"] > 0)]
    assert list(kept["strategy"]) == ["ceo_leaves"]


def test_orgchange_report_writes_the_file(store, tmp_path, capsys):
    out = tmp_path / "sub" / "report.html"
    assert main(["report", str(store), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"Wrote {out}" in capsys.readouterr().out
    # An earlier report is kept unless --overwrite.
    out.write_text("earlier", encoding="utf-8")
    assert main(["report", str(store), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (f"orgchange: error: --output: {str(out)!r} already exists; add --overwrite "
                                       f"to replace it\n")
    assert out.read_text(encoding="utf-8") == "earlier"
    assert main(["report", str(store), "-o", str(out), "--overwrite"]) == 0
    assert "in place of the earlier one" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_orgchange_report_goes_beside_its_results_file_by_default(store, tmp_path, capsys):
    import shutil

    copy = tmp_path / "demo" / "results.sqlite"
    copy.parent.mkdir()
    shutil.copyfile(store, copy)
    assert main(["report", str(copy)]) == 0
    assert (tmp_path / "demo" / "report.html").is_file()


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.sqlite", "results file '{path}' does not exist"),
    (lambda d: d, "'{path}' is a folder, not a results file"),
])
def test_orgchange_report_of_no_store_is_a_one_line_error(tmp_path, capsys, make, message):
    path = make(tmp_path)
    assert main(["report", str(path), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err == f"orgchange: error: {message.format(path=path)}\n"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed (apt-get install chromium; "
                                               ".ci/run installs it)")
def test_the_report_renders_in_headless_chromium(store, tmp_path):
    from PIL import Image

    html = tmp_path / "report.html"
    html.write_text(build_report(load(store)), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    # No network, no first-run work, a throwaway profile: the page must render from the file alone.
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                    "--window-size=1280,4000", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert shot.is_file()
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 4000)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 500, "text, tables and figures, not a blank page"
    # Something is drawn in the top, middle and lower parts of the page alike.
    for top in (0, 1300, 2600):
        band = image.crop((0, top, 1280, top + 1300))
        assert len(band.getcolors(maxcolors=1 << 20) or range(10**6)) > 50, f"blank band at y={top}"


@pytest.mark.parametrize(("design", "section"), [
    ({"kind": "factorial", "parameters": {"follow_through": [0.0, 0.8]}},
     "How the outcome depends on the varied parameters"),
    ({"kind": "morris", "samples": 3, "parameters": {"follow_through": [0.2, 0.9], "steering": [0.2, 0.9]}},
     "Warning: only 3 Morris trajectories"),
])
def test_a_report_shows_the_design_it_varied(tmp_path, design, section):
    experiment = Experiment.from_dict({
        "experiment": {"name": "Design", "strategies": ["leadership_rounding"], "replicates": 2, "weeks": 12,
                       "seed": 5},
        "base": {"organization": {"staff": 40}}, "design": design})
    run_experiment(experiment, tmp_path / "r.sqlite", executor="serial", progress=False)
    page = build_report(load(tmp_path / "r.sqlite"))
    assert section in page
    assert len(re.findall(r"data:image/png;base64,", page)) == 4, \
        "trajectories, trust and cynicism, effort, and the design's figure"
