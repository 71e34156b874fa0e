package io.mlops.systemtests.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlops.systemtests.data.TestData;
import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.scoring.HttpScoringEndpoint;
import io.mlops.systemtests.testing.FakeModel;
import io.mlops.systemtests.testing.LocalHttpServer;
import io.mlops.systemtests.testing.SyntheticSplit;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint test logic over plain HTTP against a fake model server on 127.0.0.1 (as in the local run). */
class EndpointCheckTest {
    private static final SyntheticSplit SPLIT = new SyntheticSplit(230, 11);

    @TempDir
    Path dir;
    private FakeModel model;
    private LocalHttpServer server;
    private HttpScoringEndpoint endpoint;
    private Path data;

    @BeforeEach
    void start() throws IOException {
        model = new FakeModel();
        server = LocalHttpServer.of(model);
        endpoint = HttpScoringEndpoint.forUrl(server.url());
        data = SPLIT.write(dir.resolve("test"), 3);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void passesAGoodModelAndReportsEveryCheck() throws IOException {
        EndpointTestReport report = run(new EndpointTestSettings(0.6, 1000, 50, 5000));

        assertThat(report.failures()).isEmpty();
        assertThat(report.verdict()).isEqualTo("PASS");
        assertThat(report.counts().rows()).isEqualTo(230);
        assertThat(report.counts().batches()).isEqualTo(5);
        assertThat(report.counts().predictions()).isEqualTo(230);
        assertThat(report.counts().positives()).isEqualTo(58);
        assertThat(report.rocAuc()).isCloseTo(SPLIT.expectedAuc(), within(1e-6));
        assertThat(report.latencyMillis().count()).isEqualTo(5);
        assertThat(report.latencyMillis().p99()).isPositive();
        assertThat(report.malformedRequests().sent()).isEqualTo(5);
        assertThat(report.malformedRequests().rejectedWith4xx()).isEqualTo(5);
        assertThat(report.malformedRequests().probes()).extracting(MalformedProbe.Outcome::status)
                .containsExactly(400, 400, 400, 415, 400);
        assertThat(report.checks()).extracting(Check::name).containsExactly("warmUp", "responses", "jsonRoundTrip",
                "malformed:wrong-column-count", "malformed:non-numeric-value", "malformed:empty-body",
                "malformed:unsupported-content-type", "malformed:garbage-json", "rocAuc", "latencyP99");
        assertThat(report.checks()).extracting(Check::status).containsOnly("PASS");
        // 5 CSV batches + 1 JSON batch + 5 malformed
        assertThat(model.requests()).as("1 warm-up + 5 batches + 1 JSON + 5 malformed").isEqualTo(12);

        Path file = report.writeTo(dir.resolve("report"));
        assertThat(EndpointTestReport.fromJson(Files.readString(file))).isEqualTo(report);
    }

    @Test
    void stopsAtMaxRowsAndSendsTheLastPartialBatch() {
        EndpointTestReport report = run(new EndpointTestSettings(0.5, 1000, 40, 100));
        assertThat(report.counts().rows()).isEqualTo(100);
        assertThat(report.counts().batches()).isEqualTo(3);
        assertThat(report.rocAuc()).isCloseTo(SPLIT.expectedAuc(100), within(1e-6));
    }

    @Test
    void failsWhenRocAucIsBelowTheMinimum() {
        model.inverted = true;
        EndpointTestReport report = run(new EndpointTestSettings(0.6, 1000, 50, 5000));
        assertThat(report.verdict()).isEqualTo("FAIL");
        assertThat(report.rocAuc()).isCloseTo(1 - SPLIT.expectedAuc(), within(1e-6));
        assertThat(report.failures()).singleElement().asString()
                .startsWith("ROC AUC 0.").contains("is below the minimum 0.6000 (on 230 records)");
    }

    @Test
    void failsWhenMalformedRequestsGetA5xx() {
        model.crashOnBadInput = true;
        EndpointTestReport report = run(new EndpointTestSettings(0.6, 1000, 50, 5000));
        assertThat(report.verdict()).isEqualTo("FAIL");
        assertThat(report.malformedRequests().rejectedWith4xx()).isEqualTo(1);
        assertThat(report.failures()).hasSize(4).allSatisfy(f -> assertThat(f).contains("got HTTP 500, expected a 4xx"));
        assertThat(report.failures().get(0)).startsWith("malformed request 'wrong-column-count'");
    }

    @Test
    void failsWhenAnswersHaveTheWrongNumberOfPredictions() {
        model.dropOnePrediction = true;
        EndpointTestReport report = run(new EndpointTestSettings(0.6, 1000, 50, 5000));
        assertThat(report.verdict()).isEqualTo("FAIL");
        assertThat(report.counts().batchesFailed()).isEqualTo(5);
        assertThat(report.failures().get(0)).startsWith("5 of 5 batches broke the response contract: batch 1 (records 1-50, from ")
                .contains("part-00000.csv line 2): 49 predictions for 50 records");
        assertThat(report.failures()).anySatisfy(f -> assertThat(f).contains("no valid predictions"));
    }

    @Test
    void failsOnProbabilitiesOutsideZeroToOneAndTheWrongContentType() {
        model.outOfRange = true;
        assertThat(run(new EndpointTestSettings(0.5, 1000, 50, 5000)).failures().get(0))
                .contains("prediction 1 is 1.5, not a probability in [0, 1]");
        model.outOfRange = false;
        model.csvContentType = "application/json";
        assertThat(run(new EndpointTestSettings(0.5, 1000, 50, 5000)).failures().get(0))
                .contains("Content-Type 'application/json' but Accept was text/csv");
    }

    @Test
    void failsWhenTheJsonPathScoresDifferentlyFromCsv() {
        model.jsonSkew = 0.001;
        EndpointTestReport report = run(new EndpointTestSettings(0.6, 1000, 50, 5000));
        assertThat(report.failures()).singleElement().asString()
                .contains("scored as application/json differs from text/csv");
    }

    @Test
    void failsWhenP99LatencyIsAboveTheMaximum() {
        model.delayMillis = 60;
        EndpointTestReport report = run(new EndpointTestSettings(0.6, 20, 100, 200));
        assertThat(report.latencyMillis().p99()).isGreaterThanOrEqualTo(60);
        assertThat(report.failures()).singleElement().asString()
                .startsWith("latency p99 ").contains("is above the maximum 20 ms");
    }

    @Test
    void failsTheAucCheckWhenTheScoredRecordsHaveOneClass() throws IOException {
        Path oneClass = Files.writeString(dir.resolve("one.csv"), "y,x,colour,n\n0,0.1,red,1\n0,0.2,red,2\n");
        EndpointTestReport report = new EndpointCheck(EndpointTestSettings.defaults())
                .run(endpoint, TestData.local(oneClass), "local");
        assertThat(report.rocAuc()).isNull();
        assertThat(report.failures()).anySatisfy(f -> assertThat(f).contains("ROC AUC is undefined"));
    }

    @Test
    void throwsWhenTheServerCannotBeReached() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        HttpScoringEndpoint nowhere = HttpScoringEndpoint.forUrl(URI.create("http://127.0.0.1:" + port));
        assertThatThrownBy(() -> new EndpointCheck(EndpointTestSettings.defaults()).run(nowhere, TestData.local(data), "x"))
                .isInstanceOf(EndpointUnavailableException.class)
                .hasMessageContaining("cannot connect to http://127.0.0.1:" + port + "/invocations");
    }

    @Test
    void throwsOnTestDataWithoutRecords() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.csv"), "y,x,colour,n\n");
        assertThatThrownBy(() -> new EndpointCheck(EndpointTestSettings.defaults()).run(endpoint, TestData.local(empty), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has a header but no records");
    }

    @Test
    void failsOnSettingsOutOfRangeNamingTheValue() {
        assertThatThrownBy(() -> new EndpointTestSettings(1.2, 1000, 100, 10)).hasMessageContaining("received 1.2");
        assertThatThrownBy(() -> new EndpointTestSettings(0.7, 0, 100, 10)).hasMessageContaining("maxP99Millis");
        assertThatThrownBy(() -> new EndpointTestSettings(0.7, 100, 0, 10)).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> new EndpointTestSettings(0.7, 100, 10, 0)).hasMessageContaining("maxRows");
    }

    @Test
    void malformedProbesAreBuiltFromTheHeaderAndARealRecord() {
        List<MalformedProbe> probes = MalformedProbe.build(List.of("x", "colour", "n"), List.of("0.5", "red", "3"),
                java.util.Optional.of(0));
        assertThat(probes).extracting(MalformedProbe::name).containsExactly("wrong-column-count", "non-numeric-value",
                "empty-body", "unsupported-content-type", "garbage-json");
        assertThat(new String(probes.get(0).body())).isEqualTo("x,colour,n\n0.5,red\n");
        assertThat(new String(probes.get(1).body())).isEqualTo("x,colour,n\nnot-a-number,red,3\n");
        assertThat(probes.get(2).body()).isEmpty();
        assertThat(probes.get(3).contentType()).isEqualTo("application/x-npy");
    }

    private EndpointTestReport run(EndpointTestSettings settings) {
        return new EndpointCheck(settings).run(endpoint, TestData.local(data), "local-1");
    }
}
