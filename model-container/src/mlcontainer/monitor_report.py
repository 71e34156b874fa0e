"""The monitor's report.html: one self-contained file, a reference-vs-live chart per feature and for
the score (inline SVG drawn here: fast, no matplotlib, no script, nothing fetched)."""
import html
import time

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 420, 230, 24, 70, 40


def bucket_chart(title, buckets, drifted):
    """A grouped bar chart (reference vs live share per bucket) as inline SVG: no script, no fetch."""
    count = max(len(buckets), 1)
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - TOP - BOTTOM
    top = max([b["reference"] for b in buckets] + [b["live"] for b in buckets] + [1e-9])
    slot = plot_w / count
    bar = slot * 0.4
    live_colour = "#c62828" if drifted else "#ef8f00"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" role="img" '
             f'aria-label="{html.escape(title)}">',
             f'<text x="{WIDTH / 2}" y="15" text-anchor="middle" font-size="12">{html.escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#888"/>',
             f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="9">{top:.2f}</text>',
             f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="9">0</text>']
    for i, b in enumerate(buckets):
        x = LEFT + i * slot + slot * 0.1
        for offset, value, colour, what in ((0, b["reference"], "#4682b4", "reference"),
                                            (bar, b["live"], live_colour, "live")):
            h = plot_h * value / top
            parts.append(f'<rect x="{x + offset:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{html.escape(b["bucket"])} {what} {value:.4f}</title></rect>')
        cx, cy = x + bar, TOP + plot_h + 8
        parts.append(f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="8" text-anchor="end" '
                     f'transform="rotate(-45 {cx:.1f} {cy:.1f})">{html.escape(b["bucket"][:18])}</text>')
    parts.append(f'<rect x="{WIDTH - 150}" y="{TOP}" width="10" height="10" fill="#4682b4"/>'
                 f'<text x="{WIDTH - 136}" y="{TOP + 9}" font-size="10">reference</text>'
                 f'<rect x="{WIDTH - 80}" y="{TOP}" width="10" height="10" fill="{live_colour}"/>'
                 f'<text x="{WIDTH - 66}" y="{TOP + 9}" font-size="10">live</text></svg>')
    return "".join(parts)


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
    images = "".join(f'<figure data-feature="{html.escape(name)}">{svg}</figure>' for name, svg in charts)
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
th{{background:#f4f4f4;font-weight:normal}} figure{{display:inline-block;margin:0.3em;border:1px solid #eee}}
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
