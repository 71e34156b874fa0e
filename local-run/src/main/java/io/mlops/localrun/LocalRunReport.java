package io.mlops.localrun;

import io.mlops.systemtests.load.LoadReportHtml;
import io.mlops.systemtests.report.EndpointTestHtml;
import io.mlops.systemtests.report.Html;
import io.mlops.systemtests.report.SvgChart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code <work>/report.html}: one self-contained page (inline CSS, SVG and embedded PNGs; no script, no
 * external resource) with the run's outcome, every stage's status, duration and artifacts, the data, the
 * model's metrics, the ROC curve, the quality gate and registry entry, the endpoint test and the load test
 * with its latency charts. Written on failure too, with what the stages got to.
 */
final class LocalRunReport {
    static final String FILE = "report.html";
    static final String ROC_CHART_ID = "roc-curve";

    private LocalRunReport() {
    }

    static Path write(Path work, LocalRunResult result, RunRecord record) throws IOException {
        Path file = work.resolve(FILE);
        Files.writeString(file, html(work, result, record), StandardCharsets.UTF_8);
        return file;
    }

    static String html(Path work, LocalRunResult result, RunRecord record) throws IOException {
        StringBuilder body = new StringBuilder();
        String css = result.passed() ? "pass" : "fail";
        body.append("<p>Outcome: <span class=\"").append(css).append("\">").append(result.status()).append("</span>")
                .append(result.failedStage() == null ? "" : " at stage " + Html.escape(result.failedStage()))
                .append(" - run ").append(Html.escape(result.runId())).append(", started ")
                .append(Html.escape(result.startedAt())).append(", ").append(fmt1(result.wallSeconds()))
                .append(" s wall time. Artifacts: <code>").append(Html.escape(work.toString())).append("</code>.</p>\n");
        if (result.message() != null) {
            body.append("<div class=\"warn\"><pre style=\"white-space:pre-wrap;margin:0\">")
                    .append(Html.escape(result.message())).append("</pre></div>\n");
        }
        stages(body, work, result.stages());
        if (record.etl() != null) {
            data(body, record.etl());
        }
        if (record.evaluation() != null || record.train() != null) {
            metrics(body, record);
        }
        if (record.servedRoc() != null) {
            roc(body, record);
        }
        if (record.evaluation() != null) {
            List<String> charts = EvaluateStage.embeddedCharts(record.evaluation().reportFile());
            if (!charts.isEmpty()) {
                body.append("<h2>Evaluate's charts (test split)</h2>\n<div>").append(String.join("", charts))
                        .append("</div>\n");
            }
        }
        if (record.gate() != null) {
            gate(body, work, record);
        }
        if (record.endpointTest() != null) {
            body.append("<h2 id=\"endpoint-test\">Endpoint test</h2>\n").append(EndpointTestHtml.section(record.endpointTest()));
        }
        if (record.load() != null) {
            body.append("<h2 id=\"load-test\">Load test</h2>\n").append(LoadReportHtml.section(record.load()));
        }
        if (record.monitor() != null) {
            monitor(body, work, record.monitor());
        }
        return Html.page("Local run " + result.runId() + ": " + result.status(), body.toString());
    }

    /** Both monitor runs side by side, with links to their own reports (reference vs live chart per feature). */
    private static void monitor(StringBuilder body, Path work, MonitorStage.Outcome m) {
        body.append("<h2 id=\"monitor\">Drift monitor</h2>\n<p>").append(m.capturedRecords())
                .append(" invocations captured in SageMaker's format under <code>").append(Html.escape(work.relativize(m.captureDir()).toString()))
                .append("</code>; the replay shifts the test split by <code>").append(Html.escape(String.join(" ", MonitorStage.SHIFTS)))
                .append("</code>.</p>\n<table><tr><th>traffic</th><th>alarm</th><th>requests</th><th>rows</th><th>drifted share</th>"
                        + "<th>score PSI</th><th>schema violations</th><th>reasons</th><th>report</th></tr>\n");
        row(body, work, "captured (endpoint + load test)", m.live());
        row(body, work, "replay, shifted", m.shifted());
        body.append("</table>\n");
    }

    private static void row(StringBuilder body, Path work, String name, MonitorStage.Run r) {
        String link = work.relativize(r.reportHtml()).toString();
        body.append("<tr><td>").append(Html.escape(name)).append("</td><td class=\"").append(r.alarm() ? "fail" : "pass").append("\">")
                .append(r.alarm() ? "ALARM" : "ok").append("</td><td>").append(r.requests()).append("</td><td>").append(r.rows())
                .append("</td><td>").append(String.format(java.util.Locale.ROOT, "%.2f", r.driftedShare()))
                .append("</td><td>").append(String.format(java.util.Locale.ROOT, "%.3f", r.scorePsi()))
                .append("</td><td>").append(String.format(java.util.Locale.ROOT, "%.4f", r.schemaViolationRate()))
                .append("</td><td>").append(Html.escape(String.join("; ", r.reasons())))
                .append("</td><td><a href=\"").append(Html.escape(link)).append("\">").append(Html.escape(link)).append("</a></td></tr>\n");
    }

    private static void stages(StringBuilder body, Path work, List<StageResult> stages) {
        body.append("<h2 id=\"stages\">Stages</h2>\n<table><tr><th>#</th><th>stage</th><th>status</th><th>seconds</th>"
                + "<th>detail</th><th>artifacts</th></tr>\n");
        for (StageResult s : stages) {
            String css = s.ok() ? "pass" : StageResult.FAILED.equals(s.status()) ? "fail" : "";
            body.append("<tr><td>").append(s.number()).append("</td><td>").append(Html.escape(s.name()))
                    .append("</td><td class=\"").append(css).append("\">").append(s.status()).append("</td><td class=\"num\">")
                    .append(StageResult.NOT_RUN.equals(s.status()) ? "" : fmt1(s.seconds())).append("</td><td>")
                    .append(Html.escape(firstLines(s.detail(), 6))).append("</td><td>");
            for (Map.Entry<String, String> a : s.artifacts().entrySet()) {
                body.append(Html.escape(a.getKey())).append(": <code>").append(Html.escape(relative(work, a.getValue())))
                        .append("</code><br>");
            }
            body.append("</td></tr>\n");
        }
        body.append("</table>\n");
    }

    private static void data(StringBuilder body, EtlStage.Outcome etl) {
        EtlManifest m = etl.manifest();
        body.append("<h2 id=\"data\">Data (ETL)</h2>\n<p>").append(Html.escape(m.sourceUri()))
                .append(m.sourceMember() == null ? "" : " member " + Html.escape(m.sourceMember()))
                .append(", sha256 <code>").append(Html.escape(etl.datasetSha256())).append("</code>. Arguments: <code>")
                .append(Html.escape(String.join(" ", etl.arguments()))).append("</code>")
                .append(etl.skippedArguments().isEmpty() ? "" : "; not used locally: "
                        + Html.escape(String.join(", ", etl.skippedArguments())))
                .append(".</p>\n<table><tr><th>rows read</th><th>duplicates</th><th>rejected</th><th>split</th><th>rows</th>"
                        + "<th>positives</th><th>positive rate</th></tr>\n");
        String lead = "<td class=\"num\" rowspan=\"3\">" + m.rowsRead() + "</td><td class=\"num\" rowspan=\"3\">"
                + m.duplicates() + "</td><td class=\"num\" rowspan=\"3\">" + m.rejected() + "</td>";
        boolean first = true;
        for (var split : List.of(Map.entry("train", m.train()), Map.entry("validation", m.validation()),
                Map.entry("test", m.test()))) {
            body.append("<tr>").append(first ? lead : "").append("<td>").append(split.getKey()).append("</td><td class=\"num\">")
                    .append(split.getValue().rows()).append("</td><td class=\"num\">").append(split.getValue().positives())
                    .append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%.4f", split.getValue().positiveRate()))
                    .append("</td></tr>\n");
            first = false;
        }
        body.append("</table>\n");
    }

    private static void metrics(StringBuilder body, RunRecord record) {
        body.append("<h2 id=\"metrics\">Model metrics</h2>\n");
        if (record.evaluation() != null) {
            EvaluateStage.Outcome e = record.evaluation();
            body.append("<p>evaluate on the test split (").append(e.rows() == null ? "?" : e.rows())
                    .append(" records; F1, precision, recall and accuracy at the threshold that maximises F1 there):</p>\n"
                            + "<table><tr><th>metric</th><th>value</th></tr>\n");
            e.metrics().forEach((name, value) -> body.append("<tr><td>").append(Html.escape(name))
                    .append("</td><td class=\"num\">").append(fmt4(value)).append("</td></tr>\n"));
            if (e.threshold() != null) {
                body.append("<tr><td>threshold</td><td class=\"num\">").append(fmt4(e.threshold())).append("</td></tr>\n");
            }
            body.append("</table>\n");
            long[][] cm = e.confusionMatrix();
            if (cm != null) {
                body.append("<table><tr><th>actual \\ predicted</th><th>0</th><th>1</th></tr>\n<tr><th>0</th><td class=\"num\">")
                        .append(cm[0][0]).append("</td><td class=\"num\">").append(cm[0][1])
                        .append("</td></tr>\n<tr><th>1</th><td class=\"num\">").append(cm[1][0])
                        .append("</td><td class=\"num\">").append(cm[1][1]).append("</td></tr></table>\n");
            }
        }
        if (record.train() != null) {
            body.append("<p>train (METRIC lines; hyperparameters <code>")
                    .append(Html.escape(record.train().hyperparameters().toString())).append("</code>):</p>\n"
                            + "<table><tr><th>metric</th><th>value</th></tr>\n");
            record.train().metrics().forEach((name, value) -> body.append("<tr><td>").append(Html.escape(name))
                    .append("</td><td class=\"num\">").append(fmt4(value)).append("</td></tr>\n"));
            body.append("</table>\n");
        }
    }

    private static void roc(StringBuilder body, RunRecord record) {
        RocCurve curve = record.servedRoc().thinned(400);
        body.append("<h2 id=\"roc\">ROC curve</h2>\n<p>The served model's answers for all ").append(curve.records())
                .append(" records of the test split: ROC AUC ").append(fmt4(curve.auc()));
        if (record.evaluation() != null) {
            record.evaluation().report().value("auc").ifPresent(auc -> body.append(" (evaluate: ").append(fmt4(auc))
                    .append(")"));
        }
        body.append(".</p>\n").append(SvgChart.linear(ROC_CHART_ID, "ROC curve (test split, served model)",
                "false positive rate", "true positive rate", List.of(
                        new SvgChart.Series("ROC", curve.fpr(), curve.tpr()),
                        new SvgChart.Series("chance", new double[] {0, 1}, new double[] {0, 1}))));
    }

    private static void gate(StringBuilder body, Path work, RunRecord record) {
        GateStage.Outcome g = record.gate();
        body.append("<h2 id=\"gate\">Quality gate and registry</h2>\n<p>Gate <span class=\"")
                .append(g.passed() ? "pass\">passed" : "fail\">FAILED").append("</span> (metric ")
                .append(Html.escape(g.gate().metric())).append(", threshold ").append(fmt4(g.gate().threshold()))
                .append(", max regression ").append(fmt4(g.gate().maxRegression())).append("):</p>\n<ul>\n");
        for (String check : g.decision().checks()) {
            body.append("<li>").append(Html.escape(check)).append("</li>\n");
        }
        if (g.note() != null) {
            body.append("<li>").append(Html.escape(g.note())).append("</li>\n");
        }
        body.append("</ul>\n");
        if (record.registered() != null) {
            RegistryEntry entry = record.registered().entry();
            body.append("<p>Registered <b>").append(Html.escape(entry.group())).append(" ")
                    .append(entry.label()).append("</b> as <b>").append(Html.escape(entry.status()))
                    .append("</b>: <code>").append(Html.escape(relative(work, record.registeredFile().toString())))
                    .append("</code></p>\n");
        }
    }

    private static String relative(Path work, String path) {
        Path p = Path.of(path);
        return p.startsWith(work) ? work.relativize(p).toString() : path;
    }

    private static String firstLines(String text, int lines) {
        if (text == null) {
            return "";
        }
        String[] all = text.split("\n");
        return all.length <= lines ? text : String.join("\n", List.of(all).subList(0, lines)) + "\n...";
    }

    static String fmt1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String fmt4(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
