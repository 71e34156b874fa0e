"""The monitor's report.html: one self-contained file, a reference-vs-live chart per feature and for
the score (PNGs embedded as data URIs)."""
import html
import time

from .report import _png, plt  # same matplotlib set-up as the evaluation report


def bucket_chart(title, buckets, drifted):
    labels = [b["bucket"] for b in buckets]
    width = 0.4
    figure, ax = plt.subplots(figsize=(max(4.5, 0.45 * len(labels) + 1.5), 3.2))
    positions = range(len(labels))
    ax.bar([p - width / 2 for p in positions], [b["reference"] for b in buckets], width, label="reference",
           color="steelblue")
    ax.bar([p + width / 2 for p in positions], [b["live"] for b in buckets], width, label="live",
           color="crimson" if drifted else "darkorange")
    ax.set_xticks(list(positions), labels=labels, rotation=45, ha="right", fontsize=7)
    ax.set(ylabel="share", title=title)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _png(figure)


def _fmt(value, digits=4):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render(report):
    status = "ALARM" if report["alarm"] else "no alarm"
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in report["reasons"]) or "<li>none</li>"
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in report["notes"])
    window, violations, score = report["window"], report["schema_violations"], report["score"]
    summary = _table(["", ""], [
        ("endpoint / variant", f"{report['endpoint']} / {report['variant']}"),
        ("inference times", f"{window['first_inference_time']} .. {window['last_inference_time']}"),
        ("capture files / records / rows", f"{window['files']} / {window['records']} / {window['rows']}"),
        ("requests (usable records)", report["request_count"]),
        ("schema violation rate", violations["rate"]),
        ("unusable records by reason", ", ".join(f"{k}: {v}" for k, v in violations["bad_records"].items()) or "none"),
        ("unusable rows by reason", ", ".join(f"{k}: {v}" for k, v in violations["bad_rows"].items()) or "none"),
        ("rows with a non-number in a numeric column", violations["rows_with_non_numbers"]),
        ("drifted features", f"{len(report['drift']['drifted_features'])} of {report['drift']['features_checked']}"
                             f" ({report['drift']['drifted_share']:.2f})"),
        ("score PSI / KS D", f"{_fmt(score['psi'])} / {_fmt(score['ks_statistic'])}"),
        ("score mean live / reference", f"{_fmt(score['live_mean'])} / {_fmt(score['reference_mean'])}"),
    ])
    features = _table(
        ["feature", "kind", "drifted", "PSI", "KS D", "KS p", "missing", "missing (ref)", "unseen categories"],
        [(f["name"], f["kind"], "yes" if f["drifted"] else "", f["psi"], f.get("ks_statistic"), f.get("ks_p_value"),
          f["missing_rate"], f["reference_missing_rate"], f.get("unknown_category_rate")) for f in report["features"]],
    )
    charts = [("score", bucket_chart("score (reference: validation split)", score["buckets"], False))]
    for f in report["features"]:
        title = f"{f['name']} (PSI {_fmt(f['psi'], 3)})" + (" DRIFTED" if f["drifted"] else "")
        charts.append((f["name"], bucket_chart(title, f["buckets"], f["drifted"])))
    images = "".join(f'<img src="{uri}" alt="{html.escape(name)}">' for name, uri in charts)
    examples = _table(["where", "reason", "detail"],
                      [(e["where"], e["reason"], e["detail"]) for e in violations["examples"]])
    settings = _table(["setting", "value"], sorted((k, v) for k, v in report["settings"].items()))
    generated = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    colour = "#b00020" if report["alarm"] else "#1b5e20"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Drift monitor: {html.escape(str(report['endpoint']))}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}}
table{{border-collapse:collapse;margin:1em 0}} th,td{{border:1px solid #ccc;padding:3px 8px;text-align:left}}
th{{background:#f4f4f4;font-weight:normal}} img{{margin:0.4em;border:1px solid #eee}}
.status{{color:{colour};font-weight:bold}}
</style></head><body>
<h1>Drift monitor: <span class="status">{status}</span></h1>
<p>Generated {generated}. Reference: the model's profile.json (features from the training split, scores from the
validation split). PSI over the reference's quantile bins (numeric) or categories (+ unseen), each with a missing
bucket.</p>
<h2>Reasons</h2><ul>{reasons}</ul>{f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""}
<h2>Window</h2>{summary}
<h2>Features</h2>{features}
<h2>Reference vs live</h2><div>{images}</div>
<h2>Unusable capture data (first examples)</h2>{examples}
<h2>Settings</h2>{settings}
</body></html>
"""


def write_report(path, report):
    path.write_text(render(report), encoding="utf-8")
