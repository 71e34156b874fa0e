package io.mlops.systemtests.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlops.systemtests.endpoint.Check;
import io.mlops.systemtests.endpoint.EndpointTestReport;
import io.mlops.systemtests.endpoint.EndpointTestSettings;
import io.mlops.systemtests.endpoint.MalformedProbe;
import io.mlops.systemtests.metrics.LatencySummary;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointTestHtmlTest {

    @Test
    void showsVerdictChecksMetricsAndProbesEscaped() {
        EndpointTestReport report = new EndpointTestReport("FAIL", List.of("ROC AUC 0.6 is below 0.75"), "local-1",
                "url http://127.0.0.1:8080/invocations", "/tmp/test", "2026-11-22T10:00:00Z",
                EndpointTestSettings.defaults(),
                List.of(Check.of("rocAuc", false, "ROC AUC 0.6 is below <0.75>"), Check.of("responses", true, "ok")),
                new EndpointTestReport.Counts(100, 10, 1, 0, 100), 0.6, new LatencySummary(1, 5, 5, 5, 5, 5, 5),
                new EndpointTestReport.Malformed(1, 0, List.of(new MalformedProbe.Outcome("empty-body", "empty", 500,
                        false, "Traceback & crash"))),
                new EndpointTestReport.Timings(10, 2, 3, 15));

        String html = EndpointTestHtml.page(report);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<span class=\"fail\">FAIL</span>");
        assertThat(html).contains("<td class=\"fail\">FAIL</td><td>ROC AUC 0.6 is below &lt;0.75&gt;</td>");
        assertThat(html).contains("<td class=\"num\">0.6000</td><td class=\"num\">0.7500</td>");
        assertThat(html).contains("<td class=\"fail\">500</td><td>Traceback &amp; crash</td>");
    }
}
