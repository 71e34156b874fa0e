package io.mlops.systemtests.load;

import io.mlops.systemtests.metrics.LatencySummary;
import io.mlops.systemtests.metrics.PercentilePoint;
import io.mlops.systemtests.report.Html;
import io.mlops.systemtests.report.SvgChart;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code load-report.html}: one self-contained page (inline CSS and SVG) with the summary, the
 * latency-over-time, throughput-over-time and percentile-distribution charts, errors and the
 * autoscaling advice. {@link #section} gives the same content as a fragment for a combined report.
 */
public final class LoadReportHtml {
    /** {@code id}s of the three charts' {@code <svg>} elements. */
    public static final String LATENCY_CHART_ID = "latency-over-time";
    public static final String THROUGHPUT_CHART_ID = "throughput-over-time";
    public static final String PERCENTILE_CHART_ID = "latency-percentiles";

    private LoadReportHtml() {
    }

    public static String page(LoadReport report) {
        return Html.page("Load test: " + report.target(), section(report));
    }

    /** The report as an HTML fragment (no {@code <html>}; needs {@link Html#STYLE}). */
    public static String section(LoadReport report) {
        StringBuilder html = new StringBuilder();
        html.append("<p>").append(Html.escape(describeLoad(report))).append(" Started ")
                .append(Html.escape(report.startedAt())).append(", ").append(fmt(report.elapsedSeconds()))
                .append(" s from the first request to the last answer.</p>\n");
        for (String warning : report.warnings()) {
            html.append("<div class=\"warn\">").append(Html.escape(warning)).append("</div>\n");
        }
        LoadReport.Counts c = report.counts();
        html.append("<h2>Requests</h2>\n<table><tr><th>sent</th><th>ok (2xx)</th><th>errors</th><th>dropped</th>"
                + "<th>unfinished</th><th>req/s</th><th>ok/s</th><th>max sustained ok/s</th></tr>\n<tr>")
                .append(cells(c.sent(), c.ok(), c.errors(), c.dropped(), c.unfinished(),
                        report.throughput().requestsPerSecond(), report.throughput().okPerSecond(),
                        report.throughput().maxSustainedOkPerSecond()))
                .append("</tr></table>\n");
        html.append("<h2>Latency (ms, successful requests)</h2>\n<table><tr><th></th><th>p50</th><th>p90</th><th>p99</th>"
                + "<th>p99.9</th><th>max</th><th>mean</th></tr>\n")
                .append(latencyRow("latency", report.latencyMillis()))
                .append(latencyRow("service time", report.serviceTimeMillis()))
                .append("</table>\n");
        if (!report.errorsByStatus().isEmpty()) {
            html.append("<h2>Errors</h2>\n<table><tr><th>status / error</th><th>count</th><th>first message</th></tr>\n");
            for (Map.Entry<String, Long> e : report.errorsByStatus().entrySet()) {
                html.append("<tr><td>").append(Html.escape(e.getKey())).append("</td><td class=\"num\">").append(e.getValue())
                        .append("</td><td>").append(Html.escape(report.errorSamples().getOrDefault(e.getKey(), "")))
                        .append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        html.append("<h2>Autoscaling</h2>\n<p>").append(Html.escape(report.autoscaling().explanation())).append("</p>\n");
        html.append("<h2>Charts</h2>\n").append(latencyOverTime(report)).append(throughputOverTime(report))
                .append(percentileChart(report));
        return html.toString();
    }

    /** p50, p99 and max latency per second of the run. */
    public static String latencyOverTime(LoadReport report) {
        List<LoadReport.SecondStats> seconds = report.perSecond();
        double[] x = seconds.stream().mapToDouble(s -> s.second() + 1).toArray();
        return SvgChart.linear(LATENCY_CHART_ID, "Latency over time", "second of the run", "latency (ms)", List.of(
                new SvgChart.Series("p50", x, seconds.stream().mapToDouble(LoadReport.SecondStats::p50).toArray()),
                new SvgChart.Series("p99", x, seconds.stream().mapToDouble(LoadReport.SecondStats::p99).toArray()),
                new SvgChart.Series("max", x, seconds.stream().mapToDouble(LoadReport.SecondStats::max).toArray())));
    }

    /** Successful and failed answers per second. */
    public static String throughputOverTime(LoadReport report) {
        List<LoadReport.SecondStats> seconds = report.perSecond();
        double[] x = seconds.stream().mapToDouble(s -> s.second() + 1).toArray();
        return SvgChart.linear(THROUGHPUT_CHART_ID, "Throughput over time", "second of the run", "answers per second",
                List.of(new SvgChart.Series("ok/s", x, seconds.stream().mapToDouble(LoadReport.SecondStats::ok).toArray()),
                        new SvgChart.Series("errors/s", x,
                                seconds.stream().mapToDouble(LoadReport.SecondStats::errors).toArray())));
    }

    /** Latency by percentile (HdrHistogram distribution). */
    public static String percentileChart(LoadReport report) {
        List<PercentilePoint> points = report.percentiles();
        return SvgChart.percentiles(PERCENTILE_CHART_ID, "Latency by percentile", "latency (ms)", List.of(
                new SvgChart.Series("latency", points.stream().mapToDouble(PercentilePoint::percentile).toArray(),
                        points.stream().mapToDouble(PercentilePoint::millis).toArray())));
    }

    private static String describeLoad(LoadReport report) {
        String load = report.rate() != null
                ? String.format(Locale.ROOT, "Open loop at %s req/s (at most %d in flight)", fmt(report.rate()),
                        report.concurrency())
                : "Closed loop with " + report.concurrency() + " clients";
        return load + ", bounded by " + fmt(report.durationSeconds()) + " s and " + report.maxRequests() + " requests; "
                + report.rowsPerRequest() + " record(s) per " + report.contentType() + " request sampled from "
                + report.data() + ".";
    }

    private static String latencyRow(String name, LatencySummary s) {
        return "<tr><th>" + name + "</th>" + cells(s.p50(), s.p90(), s.p99(), s.p999(), s.max(), s.mean()) + "</tr>\n";
    }

    private static String cells(Object... values) {
        StringBuilder row = new StringBuilder();
        for (Object value : values) {
            row.append("<td class=\"num\">").append(value instanceof Double d ? fmt(d) : String.valueOf(value)).append("</td>");
        }
        return row.toString();
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value).replaceAll("\\.?0+$", "");
    }
}
