package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalRunReportTest {
    private static final Path WORK = Path.of("/runs/20261122-140509");

    static LocalRunResult result(String status, String failedStage, String message, List<StageResult> stages) {
        return new LocalRunResult("local-20261122-140509", status, failedStage, message, "2026-11-22T14:05:09Z", 31.2,
                WORK.toString(), WORK.resolve("report.html").toString(), stages, Map.of(), null, null, null, null);
    }

    @Test
    void aFailedRunShowsTheFailingStageItsMessageAndArtifactsAndTheStagesNotRun() throws IOException {
        List<StageResult> stages = new ArrayList<>();
        stages.add(new StageResult(1, "ETL", StageResult.FAILED, 24.4,
                "ETL FAILED: zip archive <x.zip> is corrupt or truncated; log: /runs/20261122-140509/logs/etl.log",
                Map.of("log", WORK.resolve("logs/etl.log").toString())));
        for (int n = 2; n <= 8; n++) {
            stages.add(StageResult.notRun(n, LocalPipeline.STAGES.get(n - 1)));
        }

        String html = LocalRunReport.html(WORK, result(LocalRunResult.FAILED, "1/8 ETL", stages.get(0).detail(), stages),
                RunRecord.NONE);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<span class=\"fail\">FAILED</span> at stage 1/8 ETL")
                .contains("ETL FAILED: zip archive &lt;x.zip&gt; is corrupt or truncated")
                .contains("log: <code>logs/etl.log</code>")
                .contains("<td>load test</td><td class=\"\">NOT_RUN</td>")
                .doesNotContain("<x.zip>").doesNotContain("<script").doesNotContain("src=\"http")
                .doesNotContain("id=\"roc\"");
    }

    @Test
    void theRocCurveIsAnInlineChartOfTheServedScores() throws IOException {
        RunRecord state = RunRecord.NONE.withEndpoint(new EndpointStage.Outcome(null,
                RocCurve.of(new double[] {0.9, 0.7, 0.6, 0.2}, new int[] {1, 0, 1, 0})));
        List<StageResult> stages = new ArrayList<>();
        for (int n = 1; n <= 8; n++) {
            stages.add(new StageResult(n, LocalPipeline.STAGES.get(n - 1), StageResult.OK, 1.5, "fine", Map.of()));
        }

        String html = LocalRunReport.html(WORK, result(LocalRunResult.PASSED, null, null, stages), state);

        assertThat(html).contains("<span class=\"pass\">PASSED</span>").contains("<svg id=\"roc-curve\"")
                .contains("data-series=\"ROC\"").contains("data-series=\"chance\"")
                .contains("all 4 records of the test split: ROC AUC 0.7500").doesNotContain("<script");
    }
}
