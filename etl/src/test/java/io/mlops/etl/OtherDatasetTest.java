package io.mlops.etl;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/**
 * The same job on a different tabular binary dataset, driven only by a settings file: another label
 * name and values, comma delimiter without quotes, a column name with a space, a value with a comma,
 * a dropped id column, another split and seed, columns output in the settings' order, and three
 * partitions, so each output has several part files.
 */
class OtherDatasetTest {
    @TempDir
    static Path tmp;
    static Path out;
    static JsonNode manifest;
    static Map<String, Integer> expected = new HashMap<>();
    static int expectedPositives;
    static final String[] REGIONS = {"north", "south", "\"North, East\"", "west"};
    static final String[] PLANS = {"basic", "plus", "pro"};

    @BeforeAll
    static void runJob() throws IOException {
        Random random = new Random(11);
        List<String> lines = new ArrayList<>();
        lines.add("customer_id,region,plan,tenure months,monthly_fee,support_calls,churned");
        for (int i = 0; i < 1200; i++) {
            String region = REGIONS[random.nextInt(REGIONS.length)];
            String plan = PLANS[random.nextInt(PLANS.length)];
            int tenure = 1 + random.nextInt(72);
            String fee = String.format(Locale.ROOT, "%.2f", 10 + random.nextDouble() * 90);
            int calls = random.nextInt(8);
            boolean churned = random.nextDouble() < 0.25 + calls * 0.02;
            lines.add(String.join(",", "C" + i, region, plan, String.valueOf(tenure), fee, String.valueOf(calls),
                    churned ? "True" : "False"));
        }
        lines.set(10, lines.get(10).replaceFirst(",([0-9.]+),([0-9]+),(True|False)$", ",n/a,$2,$3"));
        lines.set(20, lines.get(20).replaceFirst(",([0-9.]+),([0-9]+),(True|False)$", ",,$2,$3"));
        lines.set(30, lines.get(30).replaceFirst("(True|False)$", "Maybe"));
        lines.add(lines.get(40));
        lines.add(lines.get(41));
        lines.add(lines.get(41));
        Path input = TestData.write(tmp.resolve("churn.csv"), lines);
        Path settings = Files.writeString(tmp.resolve("churn.json"), """
                {
                  "version": 1,
                  "name": "churn",
                  "label": {"column": "churned", "positive": "True", "negative": "False"},
                  "columns": [
                    {"name": "plan", "type": "categorical"},
                    {"name": "tenure months", "type": "numeric"},
                    {"name": "monthly_fee", "type": "numeric"},
                    {"name": "region", "type": "categorical"},
                    {"name": "support_calls", "type": "numeric"}
                  ],
                  "drop": ["customer_id"],
                  "split": {"train": 0.6, "validation": 0.2, "test": 0.2},
                  "seed": 5,
                  "maxRejectFraction": 0.01,
                  "partitions": 3
                }
                """);
        out = tmp.resolve("out");
        manifest = TestData.run("--input", input.toString(), "--output", out.toString(), "--settings", settings.toString());

        // expectation, computed independently: valid distinct rows, projected in the settings' order
        for (String line : new java.util.LinkedHashSet<>(lines.subList(1, lines.size()))) {
            List<String> f = CsvHeader.split(line, ',');
            if (f.get(4).equals("n/a") || f.get(4).isEmpty() || f.get(6).equals("Maybe")) {
                continue;
            }
            String y = f.get(6).equals("True") ? "1" : "0";
            expected.merge(String.join("|", y, f.get(2), f.get(3), f.get(4), f.get(1), f.get(5)), 1, Integer::sum);
            if (y.equals("1")) {
                expectedPositives++;
            }
        }
    }

    @Test
    void countsEveryRowAndRejectsTheBadOnesWithTheirReasons() {
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(1203);
        assertThat(manifest.get("duplicates").asLong()).isEqualTo(3);
        assertThat(manifest.at("/rejected/byReason").toString())
                .isEqualTo("{\"empty_value:monthly_fee\":1,\"unknown_label:churned\":1,\"unparseable_number:monthly_fee\":1}");
        assertThat(manifest.get("rowsWritten").asLong()).isEqualTo(1197).isEqualTo(expected.values().stream().mapToInt(i -> i).sum());
        assertThat(manifest.at("/label/column").asText()).isEqualTo("churned");
        assertThat(manifest.at("/label/outputColumn").asText()).isEqualTo("y");
        assertThat(manifest.at("/settings/name").asText()).isEqualTo("churn");
        assertThat(manifest.at("/source/delimiter").asText()).isEqualTo(",");
    }

    @Test
    void writesOnePartFilePerPartitionListedInTheManifest() {
        for (String s : EtlJob.SPLITS) {
            List<String> files = new ArrayList<>();
            manifest.at("/splits/" + s + "/files").forEach(f -> files.add(f.asText()));
            assertThat(files).as(s).containsExactly(s + "/part-00000.csv", s + "/part-00001.csv", s + "/part-00002.csv");
            assertThat(TestData.parts(out, s)).hasSize(3);
        }
        assertThat(manifest.at("/settings/partitions").asInt()).isEqualTo(3);
    }

    @Test
    void writesTheLabelAsYThenTheFeaturesInTheSettingsOrder() {
        assertThat(TestData.header(out, "train")).isEqualTo("y,plan,tenure months,monthly_fee,region,support_calls");
        assertThat(TestData.header(out, "baseline")).isEqualTo("plan,tenure months,monthly_fee,region,support_calls");
        assertThat(TestData.rows(out, "train")).anyMatch(r -> r.contains(",\"North, East\","));
    }

    @Test
    void theSplitsHoldExactlyTheValidDistinctRowsInTheConfiguredProportions() {
        Map<String, Integer> written = new HashMap<>();
        double inputRate = (double) expectedPositives / 1197;
        double[] fractions = {0.6, 0.2, 0.2};
        for (int s = 0; s < 3; s++) {
            List<String> rows = TestData.rows(out, EtlJob.SPLITS[s]);
            rows.forEach(r -> written.merge(String.join("|", CsvHeader.split(r, ',')), 1, Integer::sum));
            assertThat((double) rows.size()).as(EtlJob.SPLITS[s]).isCloseTo(fractions[s] * 1197, offset(1.0));
            long positives = rows.stream().filter(r -> r.startsWith("1,")).count();
            assertThat((double) positives / rows.size()).as(EtlJob.SPLITS[s]).isCloseTo(inputRate, offset(0.005));
        }
        assertThat(written).isEqualTo(expected);
    }
}
