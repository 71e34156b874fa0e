package io.mlops.systemtests.report;

import io.mlops.systemtests.endpoint.Check;
import io.mlops.systemtests.endpoint.EndpointTestReport;
import io.mlops.systemtests.endpoint.MalformedProbe;
import io.mlops.systemtests.metrics.LatencySummary;
import java.util.Locale;

/** An {@link EndpointTestReport} as HTML: a page of its own or a section of a combined report. */
public final class EndpointTestHtml {
    private EndpointTestHtml() {
    }

    public static String page(EndpointTestReport report) {
        return Html.page("Endpoint test: " + report.endpoint(), section(report));
    }

    /** The report as an HTML fragment (needs {@link Html#STYLE}). */
    public static String section(EndpointTestReport report) {
        StringBuilder html = new StringBuilder();
        String css = report.passed() ? "pass" : "fail";
        html.append("<p>Verdict: <span class=\"").append(css).append("\">").append(report.verdict()).append("</span> - ")
                .append(report.counts().rows()).append(" records of ").append(Html.escape(report.testData()))
                .append(" in ").append(report.counts().batches()).append(" batches; started ")
                .append(Html.escape(report.startedAt())).append(", ").append(report.timings().totalMillis())
                .append(" ms.</p>\n");
        html.append("<h2>Checks</h2>\n<table><tr><th>check</th><th>result</th><th>detail</th></tr>\n");
        for (Check check : report.checks()) {
            String result = check.failed() ? "fail" : Check.PASS.equals(check.status()) ? "pass" : "";
            html.append("<tr><td>").append(Html.escape(check.name())).append("</td><td class=\"").append(result)
                    .append("\">").append(check.status()).append("</td><td>").append(Html.escape(check.detail()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
        LatencySummary l = report.latencyMillis();
        html.append(String.format(Locale.ROOT, "<h2>Metrics</h2>\n<table><tr><th>ROC AUC</th><th>min ROC AUC</th>"
                + "<th>batch p50 ms</th><th>batch p99 ms</th><th>max p99 ms</th><th>batch max ms</th></tr>\n"
                + "<tr><td class=\"num\">%s</td><td class=\"num\">%.4f</td><td class=\"num\">%.1f</td>"
                + "<td class=\"num\">%.1f</td><td class=\"num\">%.0f</td><td class=\"num\">%.1f</td></tr></table>\n",
                report.rocAuc() == null ? "undefined" : String.format(Locale.ROOT, "%.4f", report.rocAuc()),
                report.settings().minRocAuc(), l.p50(), l.p99(), report.settings().maxP99Millis(), l.max()));
        html.append("<h2>Malformed requests (each must get a 4xx)</h2>\n<table><tr><th>request</th><th>what is wrong"
                + "</th><th>HTTP</th><th>answer</th></tr>\n");
        for (MalformedProbe.Outcome probe : report.malformedRequests().probes()) {
            html.append("<tr><td>").append(Html.escape(probe.name())).append("</td><td>")
                    .append(Html.escape(probe.description())).append("</td><td class=\"")
                    .append(probe.rejectedWith4xx() ? "pass" : "fail").append("\">").append(probe.status())
                    .append("</td><td>").append(Html.escape(probe.response())).append("</td></tr>\n");
        }
        html.append("</table>\n");
        return html.toString();
    }
}
