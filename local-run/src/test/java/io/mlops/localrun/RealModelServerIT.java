package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mlops.systemtests.data.CsvReader;
import io.mlops.systemtests.data.TestData;
import io.mlops.systemtests.endpoint.EndpointCheck;
import io.mlops.systemtests.endpoint.EndpointTestReport;
import io.mlops.systemtests.endpoint.EndpointTestSettings;
import io.mlops.systemtests.load.LoadReport;
import io.mlops.systemtests.load.LoadRun;
import io.mlops.systemtests.load.LoadTestConfig;
import io.mlops.systemtests.load.Progress;
import io.mlops.systemtests.load.RequestBodies;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint test and a short load test against the REAL model server of model-container/: trains a
 * model on a small split of the bundled bank dataset, starts {@code serve} on 127.0.0.1 and a free
 * port, tests it over plain HTTP, and stops it by its PID.
 */
class RealModelServerIT {
    private static final Path MODEL_CONTAINER = Path.of("..", "model-container");
    private static final String MEMBER = "bank-additional/bank-additional.csv";

    @TempDir
    static Path work;
    private static ModelContainer container;
    private static Path prefix;
    private static Path testSplit;

    @BeforeAll
    static void trainOnASmallSplit() throws IOException {
        Optional<String> unavailable = ModelContainer.unavailableReason(MODEL_CONTAINER);
        assumeTrue(unavailable.isEmpty(), () -> "skipped: the real model server cannot run here: " + unavailable.orElse(""));
        Optional<Path> zip = bankZip();
        assumeTrue(zip.isPresent(), "skipped: no bank-additional.zip in ../etl/data, $BANK_ZIP or ../../shared/data");
        container = new ModelContainer(MODEL_CONTAINER);
        prefix = work.resolve("ml");
        testSplit = cutSplits(zip.get(), prefix, work.resolve("test"));
        Files.createDirectories(prefix.resolve("input/config"));
        Files.writeString(prefix.resolve("input/config/hyperparameters.json"),
                "{\"algorithm\": \"hist_gradient_boosting\", \"max_iter\": \"100\"}");
        container.train(prefix, work.resolve("train.log"), Duration.ofMinutes(5));
        assertThat(prefix.resolve("model")).isDirectory();
    }

    @Test
    void theRealServerPassesTheEndpointTestAndALoadTestAndStopsByPid() throws IOException {
        long pid;
        EndpointTestReport report;
        LoadReport load;
        try (ModelServerProcess server = container.serve(prefix, work.resolve("serve.log"), Duration.ofSeconds(60),
                Map.of("SERVE_WORKERS", "2"))) {
            pid = server.pid();
            assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

            report = new EndpointCheck(new EndpointTestSettings(0.7, 3000, 100, 5000))
                    .run(server.endpoint(), TestData.local(testSplit), "local-it");

            RequestBodies bodies = RequestBodies.fromCsv(testSplit.resolve("part-00000.csv"), "y", 1, "text/csv", 1);
            load = new LoadRun().run(server.endpoint(), bodies,
                    LoadTestConfig.closedLoop(2, Duration.ofMillis(1500), 400), Progress.NONE);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("serve (pid %d) stopped", pid)
                .satisfiesAnyOf(p -> assertThat(p).isEmpty(), p -> assertThat(p).contains(false));

        assertThat(report.failures()).as(report.toJson()).isEmpty();
        assertThat(report.verdict()).isEqualTo("PASS");
        assertThat(report.counts().rows()).isGreaterThan(700);
        assertThat(report.rocAuc()).isBetween(0.7, 1.0);
        assertThat(report.malformedRequests().rejectedWith4xx()).isEqualTo(5);
        assertThat(report.malformedRequests().probes()).filteredOn(p -> p.name().equals("non-numeric-value"))
                .singleElement().satisfies(p -> assertThat(p.response()).contains("column 'age'").contains("row 1"));
        assertThat(report.checks()).filteredOn(c -> c.name().equals("jsonRoundTrip")).singleElement()
                .satisfies(c -> assertThat(c.status()).isEqualTo("PASS"));

        assertThat(load.counts().errors()).as(load.errorsByStatus().toString()).isZero();
        assertThat(load.counts().ok()).isEqualTo(load.counts().sent()).isPositive();
    }

    /** 60/20/20 of the 4,119-record sample, shuffled with a seed; label y (0/1) first, duration dropped, commas. */
    private static Path cutSplits(Path zip, Path ml, Path test) throws IOException {
        List<String> header;
        List<List<String>> rows = new ArrayList<>();
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            ZipEntry entry = archive.getEntry(MEMBER);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(archive.getInputStream(entry),
                    StandardCharsets.UTF_8))) {
                header = split(in.readLine());
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isBlank()) {
                        rows.add(split(line));
                    }
                }
            }
        }
        int label = header.indexOf("y");
        int duration = header.indexOf("duration");
        List<String> out = new ArrayList<>();
        out.add("y");
        for (int c = 0; c < header.size(); c++) {
            if (c != label && c != duration) {
                out.add(header.get(c));
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            List<String> fields = new ArrayList<>();
            fields.add(row.get(label).equals("yes") ? "1" : "0");
            for (int c = 0; c < row.size(); c++) {
                if (c != label && c != duration) {
                    fields.add(row.get(c));
                }
            }
            lines.add(CsvReader.format(fields));
        }
        Collections.shuffle(lines, new Random(42));
        int trainEnd = lines.size() * 6 / 10;
        int validationEnd = lines.size() * 8 / 10;
        write(ml.resolve("input/data/train"), out, lines.subList(0, trainEnd));
        write(ml.resolve("input/data/validation"), out, lines.subList(trainEnd, validationEnd));
        write(test, out, lines.subList(validationEnd, lines.size()));
        return test;
    }

    private static List<String> split(String semicolonLine) {
        List<String> fields = new ArrayList<>();
        for (String field : semicolonLine.split(";", -1)) {
            fields.add(field.startsWith("\"") && field.endsWith("\"") && field.length() >= 2
                    ? field.substring(1, field.length() - 1) : field);
        }
        return fields;
    }

    private static void write(Path folder, List<String> header, List<String> lines) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("part-00000.csv"), CsvReader.format(header) + "\n" + String.join("\n", lines)
                + "\n", StandardCharsets.UTF_8);
    }

    private static Optional<Path> bankZip() {
        String env = System.getenv("BANK_ZIP");
        return Stream.of(Path.of("..", "etl", "data", "bank-additional.zip"),
                        env == null ? null : Path.of(env),
                        Path.of("..", "..", "shared", "data", "bank-additional.zip"))
                .filter(p -> p != null && Files.isRegularFile(p)).findFirst();
    }
}
