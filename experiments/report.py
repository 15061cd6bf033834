"""The planner's report: one self-contained HTML file from a results store.

A hospital planner opens it in any browser, with no Python and no network:
the figures are embedded as base64 PNG and the styling is inline. It holds,
in reading order: the question as its title, "In brief" (each outcome
weighed against leader-hours, and what lasted after a departure), the
strategies in plain language, the outcome table with 95% intervals and the
differences from the baseline, the trajectory figures (trust and cynicism
among them), effort against each benefit, the sweep or sensitivity figures
when the experiment varied parameters, the caveats, and a collapsible
appendix with the configuration and manifest that make the results
reproducible.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from experiments import figures
from experiments.analysis import (
    OUTCOMES,
    Comparison,
    clearly_nonzero,
    compare,
    format_value,
    in_sentence,
    outcome_label,
)
from simulation.plotting import png_bytes
from simulation.wording import horizon, plural

CAVEATS = [
    "This is a model, not a forecast. It shows how the strategies compare under the model's assumptions; "
    "it does not predict what will happen in your hospital.",
    "The model is calibrated to stylized facts from published studies (for example: fewer than half of "
    "improvement projects succeed, frontline staff see quality less favourably than senior managers, and "
    "transformation takes years), not fitted to data from any one hospital.",
    "Commitment, alignment and quality are indices from 0 to 1. They rank strategies; they are not survey "
    "scores or clinical measures.",
    "Leader-hours are the model's accounting of effort. Use them to compare strategies with each other, "
    "not as a staffing plan.",
    "The intervals show the uncertainty from chance events in the simulation (who talks to whom, which "
    "projects succeed, who leaves). They do not include uncertainty about the model's own assumptions: the "
    "sensitivity analysis, where there is one, explores some of that.",
    "People, politics, money and events outside the model (mergers, pandemics, regulation) can change "
    "everything. Read the results as one input to a decision, alongside local knowledge.",
]
"""Plain-language limits of the model, shown in every report."""


def posterior_caveat(experiment) -> str:
    """The caveat of an experiment whose runs drew parameters from a
    calibration's posterior ("" for one that did not)."""
    drawn = getattr(experiment, "drawn", None)
    if drawn is None:
        return ""
    return (f"Some parameters ({', '.join(drawn.names)}) were calibrated to a hospital's own survey, and each run "
            f"drew its values from that calibration's posterior ({Path(experiment.posterior).name}), so the "
            f"intervals include how uncertain the survey leaves them. Everything else is the model's typical "
            f"hospital.")

STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #0072B2; padding-bottom: 0.2em; margin-top: 2em; }
.question { font-size: 1.2em; background: #eef5fb; border-left: 5px solid #0072B2; padding: 0.8em 1em; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.better { background: #e3f4ea; }
td.worse { background: #fbe9e0; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; margin: 0.5em 0; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.8em; font-size: 0.85em;
      white-space: pre-wrap; overflow-wrap: anywhere; }
details { margin: 0.6em 0; }
summary { cursor: pointer; font-weight: bold; }
.subtitle { font-size: 1.05em; color: #444; margin-top: 0; }
.warning { background: #fff4d6; border-left: 5px solid #E69F00; padding: 0.6em 1em; }
.note { color: #444; font-size: 0.92em; }
dt { font-weight: bold; margin-top: 0.8em; }
dd { margin-left: 1.2em; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _img(png: bytes, alt: str) -> str:
    """An ``<img>`` with the PNG inlined as a data URI, so the file stands alone."""
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


# --- sections -------------------------------------------------------------------------------------
def _strategies_section(comparison: Comparison) -> str:
    items = []
    for key in comparison.strategies:
        name = comparison.labels.get(key, key)
        tag = " <em>(the baseline)</em>" if key == comparison.baseline else ""
        departs = comparison.departures.get(key)
        when = (f" <em>A leader leaves in week {departs} (year {departs / 52:.1f}).</em>" if departs else "")
        description = _e(comparison.descriptions.get(key, ""))
        items.append(f"<dt>{_e(name)}{tag} <code>{_e(key)}</code></dt><dd>{description}{when}</dd>")
    return "<h2>The strategies</h2>\n<dl>" + "\n".join(items) + "</dl>"


def _outcome_table(comparison: Comparison) -> str:
    """Outcomes down, strategies across: mean and [95% CI]."""
    summary = comparison.summary
    cells = {(r.outcome, r.strategy): r for r in summary.itertuples()}
    head = "".join(f"<th>{_e(comparison.labels.get(s, s))}</th>" for s in comparison.strategies)
    rows = []
    for name in dict.fromkeys(summary["outcome"]):
        tds = []
        for s in comparison.strategies:
            r = cells.get((name, s))
            text = format_value(r.mean, r.low, r.high, OUTCOMES[name].digits) if r else "-"
            if r is not None and r.n == 0 and name == "weeks_to_half_practice":
                text = "not reached"
            n = f" <span class='note'>(n={r.n})</span>" if r is not None and name in _PARTIAL and r.n else ""
            tds.append(f"<td class='num'>{_e(text)}{n}</td>")
        rows.append(f"<tr><th>{_e(outcome_label(name))}</th>{''.join(tds)}</tr>")
    return f"<table><tr><th>Outcome</th>{head}</tr>{''.join(rows)}</table>"


TRUST_PANELS = [("trust", "Trust in leadership", "Mean trust (0-1)"), ("cynicism", "Cynicism", "Mean cynicism (0-1)")]
"""The panels of the trust-and-cynicism figure: (metric, title, y label)."""
EFFORT_OUTCOMES = ["commitment_gain", "practice_frontline", "quality", "trust"]
"""The benefits the report sets against leader-hours, one panel each."""

_PARTIAL = {"weeks_to_half_practice", "sustainment"}
"""Outcomes only some runs have; their cells show how many."""

_UNSHADED = {"leader_hours", "weeks_to_half_practice"}
"""Differences that are neither good nor bad when positive (more effort), or
good when negative (reaching 50% practice sooner): not shaded."""


BRIEF_OUTCOMES = ("commitment_frontline", "practice_frontline", "quality", "trust", "cynicism")
"""The outcomes "In brief" weighs against effort, one line each."""


def _hours(comparison: Comparison) -> dict[str, float]:
    """Each strategy's mean leader-hours a week (NaN where not measured)."""
    table = comparison.summary[comparison.summary["outcome"] == "leader_hours"].set_index("strategy")["mean"]
    return {s: float(table.get(s, np.nan)) for s in comparison.strategies}


def _brief_line(comparison: Comparison, name: str, hours: dict[str, float]) -> str | None:
    """One outcome weighed against effort: the strategy that does best on it,
    whether clearly, what it costs in leader-hours, and the least costly
    strategy that is not clearly behind it."""
    spec = OUTCOMES[name]
    rows = comparison.summary[comparison.summary["outcome"] == name].set_index("strategy")
    if len(rows) < 2:
        return None
    ranked = rows.sort_values("mean", ascending=spec.lower_is_better)
    label = lambda s: _e(comparison.labels.get(s, s))  # noqa: E731
    value = lambda r: _e(format_value(r["mean"], r["low"], r["high"], spec.digits))  # noqa: E731
    (best, b), (second, r) = list(ranked.iterrows())[:2]
    apart = not np.isnan(b["low"]) and not np.isnan(r["low"]) and (
        r["low"] > b["high"] if spec.lower_is_better else b["low"] > r["high"])
    ahead = (f"clearly ahead of {label(second)}" if apart
             else f"not clearly ahead of {label(second)} (their 95% intervals overlap)")
    best_word = "Lowest" if spec.lower_is_better else "Highest"
    text = f"{best_word} {_e(in_sentence(name))}: <strong>{label(best)}</strong>, {value(b)}, {ahead}"
    if not np.isnan(hours.get(best, np.nan)):
        text += f", at {hours[best]:.1f} leader-hours a week"
        # Strategies not clearly behind the best (their interval reaches the best's mean), for fewer hours.
        close = [s for s, row in ranked.iterrows() if s != best and not np.isnan(hours.get(s, np.nan))
                 and hours[s] < hours[best] and not np.isnan(row["low"])
                 and (row["low"] <= b["mean"] if spec.lower_is_better else row["high"] >= b["mean"])]
        if close:
            cheapest = min(close, key=lambda s: hours[s])
            text += (f". {label(cheapest)} is not clearly behind it ({value(rows.loc[cheapest])}) "
                     f"for {hours[cheapest]:.1f} leader-hours a week")
        else:
            text += ". No strategy that takes fewer leader-hours comes close"
    return f"<li>{text}.</li>"


def _sustainment_lines(comparison: Comparison) -> list[str]:
    """Where a strategy's leader leaves: how much of the gain it kept."""
    rows = comparison.summary[comparison.summary["outcome"] == "sustainment"].set_index("strategy")
    lines = []
    for strategy, week in comparison.departures.items():
        if strategy in rows.index and rows.loc[strategy, "n"]:
            r = rows.loc[strategy]
            kept = format_value(r["mean"], r["low"], r["high"], OUTCOMES["sustainment"].digits)
            lines.append(f"<li>After the departure in week {week}, <strong>"
                         f"{_e(comparison.labels.get(strategy, strategy))}</strong> kept {_e(kept)} of the "
                         f"frontline commitment it had gained by then (1 is all of it; n={int(r['n'])} runs "
                         "with a gain to keep).</li>")
    return lines


def _headlines(comparison: Comparison) -> str:
    """In brief: every headline outcome weighed against the leader-hours it
    costs, then how much of the gain lasted where a leader left."""
    hours = _hours(comparison)
    items = [line for name in BRIEF_OUTCOMES if name in set(comparison.summary["outcome"])
             if (line := _brief_line(comparison, name, hours))]
    items += _sustainment_lines(comparison)
    note = ("<p class='note'>Each line names the strategy that does best on one outcome, and weighs it against "
            "the leader-hours it takes: a strategy whose 95% interval reaches the best one's mean is not clearly "
            "behind it.</p>")
    return f"<h2>In brief</h2>{note}<ul>{''.join(items)}</ul>" if items else ""


def _differences_table(comparison: Comparison) -> str:
    """Each strategy minus the baseline, shaded where the 95% CI excludes 0."""
    diffs = comparison.differences
    if comparison.baseline is None or diffs.empty:
        return ""
    others = [s for s in comparison.strategies if s != comparison.baseline]
    cells = {(r.outcome, r.strategy): r for r in diffs.itertuples()}
    head = "".join(f"<th>{_e(comparison.labels.get(s, s))}</th>" for s in others)
    rows = []
    for name in dict.fromkeys(diffs["outcome"]):
        tds = []
        for s in others:
            r = cells.get((name, s))
            if r is None:
                tds.append("<td>-</td>")
                continue
            text = format_value(r.mean, r.low, r.high, OUTCOMES[name].digits)
            shade = ""
            if name not in _UNSHADED and clearly_nonzero(r.mean, r.low, r.high, OUTCOMES[name].digits):
                shade = " better" if (r.mean > 0) != OUTCOMES[name].lower_is_better else " worse"
            tds.append(f"<td class='num{shade}'>{_e(text)}</td>")
        rows.append(f"<tr><th>{_e(outcome_label(name))}</th>{''.join(tds)}</tr>")
    baseline = _e(comparison.labels.get(comparison.baseline, comparison.baseline))
    return (f"<h3>Difference from the baseline, {baseline}</h3>"
            "<p class='note'>Each strategy's runs minus the baseline's runs with the same random seed (paired "
            "comparison), with 95% confidence intervals. Green: clearly better than the baseline; orange: "
            "clearly worse (the interval excludes zero; for cynicism, lower is better). Leader effort and time "
            "to 50% practice are not shaded: for them, higher is not better. The CEO's practice is one "
            f"person's state, so it has no interval.</p><table><tr><th>Outcome</th>{head}</tr>{''.join(rows)}</table>")


def _design_section(results, comparison: Comparison) -> str:
    """Sweep figures (factorial, Latin hypercube) or sensitivity indices
    (Morris, Sobol) when the experiment varied parameters."""
    from experiments.sensitivity import analyze, format_sensitivity

    design = results.manifest.get("design") or {}
    kind = design.get("kind", "none")
    parameters = [p for p in results.parameters if p in comparison.outcomes]
    if not parameters or kind == "none":
        return ""
    if kind in ("morris", "sobol"):
        try:
            result = analyze(comparison.outcomes, design, "commitment_frontline")
        except ValueError as err:
            return f"<h2>Sensitivity</h2><p class='warning'>Sensitivity indices could not be computed: {_e(err)}</p>"
        warnings = "".join(f"<p class='warning'>Warning: {_e(w)}</p>" for w in result.warnings)
        png = png_bytes(figures.sensitivity_figure(result.table, result.method, result.outcome,
                                                           comparison.labels))
        return ("<h2>Sensitivity: which parameters matter most</h2>"
                "<p class='note'>The replicates of each design point are averaged before the analysis.</p>"
                f"{warnings}{_img(png, 'Sensitivity indices with 95% confidence intervals')}"
                f"<pre>{_e(format_sensitivity(result))}</pre>")
    png = png_bytes(figures.sweep_figure(comparison.outcomes, parameters, "commitment_frontline",
                                                 comparison.strategies, comparison.labels))
    return ("<h2>How the outcome depends on the varied parameters</h2>"
            f"<p class='note'>{_e(kind)} design over {', '.join(map(_e, parameters))}; each marker is one design "
            f"point's mean over its replicates, with its 95% confidence interval.</p>"
            f"{_img(png, 'Final frontline commitment against each varied parameter')}")


MANIFEST_FIELDS = [
    ("name", "Experiment"), ("created", "Created (UTC)"), ("root_seed", "Root seed"), ("n_runs", "Runs"),
    ("git_commit", "orgchange git commit"), ("platform", "Platform"), ("experiment_path", "Experiment file"),
]
"""The manifest entries the report shows, with their labels (versions and the design follow)."""


GENERATOR_ONLY = ("staff", "senior_team", "unit_size")
"""Parameters that only a generated hospital uses: a run on an org chart
takes its size and shape from the chart instead."""


def _without_generator(toml: str) -> str:
    """A resolved configuration with the generator's size lines taken out
    (for a run on an org chart, where they do not apply)."""
    return "\n".join(line for line in toml.splitlines()
                     if line.split("=", 1)[0].strip() not in GENERATOR_ONLY)


def _manifest_section(manifest: dict[str, Any], chart: str = "") -> str:
    rows = [f"<tr><th>{_e(label)}</th><td>{_e(manifest[key])}</td></tr>"
            for key, label in MANIFEST_FIELDS if manifest.get(key) not in (None, "")]
    versions = manifest.get("versions") or {}
    if versions:
        listed = ", ".join(f"{name} {version}" for name, version in versions.items() if version)
        rows.append(f"<tr><th>Software versions</th><td>{_e(listed)}</td></tr>")
    design = {k: v for k, v in (manifest.get("design") or {}).items() if k not in ("matrix", "problem")}
    if design:
        rows.append(f"<tr><th>Design</th><td><code>{_e(json.dumps(design, default=str))}</code></td></tr>")
    toml = manifest.get("experiment_toml", "")
    resolved = manifest.get("experiment_resolved", "")
    chart_note = ""
    if chart:
        toml, resolved = _without_generator(toml), _without_generator(resolved)
        chart_note = (f" The hospital is the org chart {_e(chart)}: its size and shape come from the chart, so the "
                      f"generator's {', '.join(GENERATOR_ONLY)} are left out.")
    full = (f"<details><summary>The experiment fully resolved (every parameter and lever written out)</summary>"
            f"<pre>{_e(resolved)}</pre></details>") if resolved else ""
    return ("<h2>Appendix: configuration and how to reproduce these results</h2>"
            "<p class='note'>The software versions, root seed and experiment file below reproduce every run "
            f"exactly.{chart_note}</p><table>{''.join(rows)}</table>"
            f"<details><summary>The experiment file</summary><pre>{_e(toml)}</pre></details>{full}")


def _overview(results, comparison: Comparison) -> str:
    experiment = results.experiment
    runs = len(results.runs)
    weeks = getattr(experiment, "weeks", None)
    replicates = getattr(experiment, "replicates", None)
    chart = experiment.base.org_chart if experiment is not None else ""
    staff = experiment.base.staff if experiment is not None and not chart else None
    facts = []
    if chart:
        count = _head_count(chart)
        facts.append(f"the org chart {Path(chart).name} ({plural(count, 'person', 'people')})" if count
                     else f"the org chart {Path(chart).name}")
    if staff:
        facts.append(f"a generated hospital of {staff} staff")
    if weeks:
        facts.append(f"{horizon(weeks)} simulated week by week")
    if replicates:
        facts.append(f"{plural(int(replicates), 'replicate')} per strategy and design point")
    facts.append(f"{plural(runs, 'run')} in all")
    gaps = [f"{plural(comparison.failed, 'run')} failed" if comparison.failed else "",
            f"{plural(comparison.pending, 'run')} not yet run" if comparison.pending else ""]
    missing = " and ".join(m for m in gaps if m)
    failed = f" <strong>Left out: {missing}.</strong>" if missing else ""
    text = "; ".join(facts)
    return f"<p class='meta'>{_e(text[0].upper() + text[1:])}.{failed}</p>"


def _head_count(chart: str) -> int:
    """People in the org chart at ``chart`` (0 if it cannot be read here)."""
    from simulation.organization import ChartError, Organization

    try:  # the head count does not depend on the ties drawn, so any tie settings do
        return Organization.load(chart, peer_density=0.0, cross_unit_ties=0.0, committee_size=0,
                                 rng=np.random.default_rng(0)).n
    except (ChartError, OSError):
        return 0


# --- the whole report -----------------------------------------------------------------------------
def build_report(results) -> str:
    """The report for ``results`` (from `experiments.load`) as an HTML string."""
    comparison = compare(results)
    experiment = results.experiment
    name = getattr(experiment, "name", "") or "orgchange experiment"
    question = getattr(experiment, "question", "")
    title = question or name
    chart = experiment.base.org_chart if experiment is not None else ""
    traj_png = png_bytes(figures.trajectory_figure(comparison.trajectories, comparison.strategies,
                                                   comparison.labels, departures=comparison.departures))
    culture = ""
    if {"trust", "cynicism"} <= set(comparison.trajectories["metric"]):
        culture_png = png_bytes(figures.trajectory_figure(
            comparison.trajectories, comparison.strategies, comparison.labels,
            title="Trust in leadership and cynicism, with 95% confidence bands",
            departures=comparison.departures, panels=TRUST_PANELS))
        culture = _img(culture_png, "Mean trajectories of trust in leadership and cynicism")
    effort_png = png_bytes(figures.effort_benefit_figure(comparison.summary, comparison.strategies,
                                                         comparison.labels, outcomes=EFFORT_OUTCOMES))
    pooled = (" Results are pooled over all design points, so the intervals include the effect of the varied "
              "parameters as well as chance." if results.runs["point"].nunique() > 1 else "")
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(title)} (orgchange report)</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='subtitle'>orgchange experiment: {_e(name)}</p>"
        if question else "<p class='note'>(The experiment file states no question.)</p>",
        _overview(results, comparison),
        _headlines(comparison),
        _strategies_section(comparison),
        "<h2>Outcomes</h2>",
        "<p class='note'>Mean over the runs, with its 95% confidence interval in brackets: if the experiment "
        "were repeated with new random seeds, the mean would fall in that range 19 times out of 20. Final "
        f"values are at the end of the simulated period.{_e(pooled)}</p>",
        _outcome_table(comparison),
        _differences_table(comparison),
        "<h2>How things change over time</h2>",
        "<p class='note'>The lines are the mean over the runs; the shaded bands their 95% confidence "
        "intervals.</p>",
        _img(traj_png, "Mean trajectories of frontline commitment, frontline practice and quality"),
        culture,
        "<p class='note'>A dotted line marks the week a strategy's leader leaves.</p>"
        if comparison.departures else "",
        "<h2>Effort against benefit</h2>",
        "<p class='note'>How many leader-hours a week each strategy takes, against each benefit it brings: "
        "frontline commitment gained, frontline practice, quality and trust. Strategies towards the top left "
        "of a panel give more of that benefit for less effort. Bars are 95% confidence intervals.</p>",
        _img(effort_png, "Leader-hours per week against each benefit"),
        _design_section(results, comparison),
        "<h2>Caveats: what this model can and cannot tell you</h2>",
        "<ul>" + "".join(f"<li>{_e(c)}</li>" for c in [*CAVEATS, posterior_caveat(experiment)] if c) + "</ul>",
        _manifest_section(results.manifest, chart),
        "<p class='note'>Made by orgchange.</p></body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_report(results, path: str | Path) -> Path:
    """Write `build_report` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    text = build_report(results)
    if path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path

