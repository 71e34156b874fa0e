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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job on the real bundled zip (41,188 rows), checked against an independent plain-Java reading of
 * the same CSV: nothing lost, nothing doubled, exact stratified proportions, determinism.
 */
class BankZipTest {
    static final String[] OUTPUTS = {"train", "validation", "test", "baseline", "rejected"};
    static final double[] FRACTIONS = {0.70, 0.15, 0.15};

    @TempDir
    static Path tmp;
    static Path first;
    static Path second;
    static Path otherSeed;
    static JsonNode manifest;

    // independent expectation
    static int rowsInFile;
    static int duplicatesInFile;
    static Map<String, Integer> expectedRows = new HashMap<>();
    static int expectedPositives;
    static List<String> features = new ArrayList<>();

    @BeforeAll
    static void runJob() throws IOException {
        first = tmp.resolve("first");
        second = tmp.resolve("second");
        otherSeed = tmp.resolve("other-seed");
        manifest = TestData.run("--input", TestData.BANK_ZIP.toString(), "--output", first.toString(), "--execution-id", "exec-1");
        TestData.run("--input", TestData.BANK_ZIP.toString(), "--output", second.toString(), "--execution-id", "exec-1");
        TestData.run("--input", TestData.BANK_ZIP.toString(), "--output", otherSeed.toString(), "--execution-id", "exec-1", "--seed", "7");

        JsonNode settings = EtlSettings.MAPPER.readTree(Path.of("settings/bank.json").toFile());
        settings.get("columns").forEach(c -> features.add(c.get("name").asText()));
        List<String> lines = TestData.bankLines();
        List<String> header = unquote(lines.get(0));
        Set<String> distinct = new LinkedHashSet<>(lines.subList(1, lines.size()));
        rowsInFile = lines.size() - 1;
        duplicatesInFile = rowsInFile - distinct.size();
        for (String line : distinct) {
            List<String> f = unquote(line);
            StringBuilder row = new StringBuilder(f.get(header.indexOf("y")).equals("yes") ? "1" : "0");
            for (String name : features) {
                row.append(',').append(f.get(header.indexOf(name)));
            }
            expectedRows.merge(row.toString(), 1, Integer::sum);
            if (row.charAt(0) == '1') {
                expectedPositives++;
            }
        }
    }

    static List<String> unquote(String line) {
        List<String> out = new ArrayList<>();
        for (String f : line.split(";", -1)) {
            out.add(f.replace("\"", ""));
        }
        return out;
    }

    static long validRows() {
        return rowsInFile - duplicatesInFile;
    }

    @Test
    void readsEveryRowOfTheFullMemberAndCountsTheDuplicates() {
        assertThat(rowsInFile).isEqualTo(41188);
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(rowsInFile);
        assertThat(manifest.get("duplicates").asLong()).isEqualTo(duplicatesInFile).isEqualTo(12);
        assertThat(manifest.at("/rejected/total").asLong()).isZero();
        assertThat(manifest.at("/source/member").asText()).isEqualTo(TestData.FULL_MEMBER);
        assertThat(manifest.at("/source/sha256").asText())
                .isEqualTo("e689f38cc6bd689f64f031e7a1fbe0849aabb7ad57544fc75068e30129bbd514");
        assertThat(manifest.get("executionId").asText()).isEqualTo("exec-1");
    }

    @Test
    void rowsReadEqualWrittenPlusRejectedPlusDuplicates() {
        long written = 0;
        for (String s : EtlJob.SPLITS) {
            written += manifest.at("/splits/" + s + "/rows").asLong();
        }
        assertThat(manifest.get("rowsWritten").asLong()).isEqualTo(written);
        assertThat(manifest.get("rowsRead").asLong())
                .isEqualTo(written + manifest.at("/rejected/total").asLong() + manifest.get("duplicates").asLong());
    }

    @Test
    void theSplitsTogetherHoldExactlyTheDeduplicatedInputRows() {
        // multiset equality: no row lost, and no row in two splits (or twice in one)
        Map<String, Integer> written = new HashMap<>();
        for (String s : EtlJob.SPLITS) {
            TestData.rows(first, s).forEach(r -> written.merge(r, 1, Integer::sum));
        }
        assertThat(written).isEqualTo(expectedRows);
    }

    @Test
    void splitSizesAreWithinOneRowOfTheTargets() {
        for (int s = 0; s < EtlJob.SPLITS.length; s++) {
            double target = FRACTIONS[s] * validRows();
            int rows = TestData.rows(first, EtlJob.SPLITS[s]).size();
            assertThat((double) rows).as(EtlJob.SPLITS[s]).isBetween(target - 1, target + 1);
        }
    }

    @Test
    void eachSplitKeepsTheInputClassBalanceWithinHalfAPercentagePoint() {
        double inputRate = (double) expectedPositives / validRows();
        for (String s : EtlJob.SPLITS) {
            List<String> rows = TestData.rows(first, s);
            long positives = rows.stream().filter(r -> r.startsWith("1,")).count();
            assertThat((double) positives / rows.size()).as(s).isCloseTo(inputRate, org.assertj.core.data.Offset.offset(0.005));
        }
    }

    @Test
    void manifestMatchesTheWrittenFiles() {
        for (String s : EtlJob.SPLITS) {
            List<String> rows = TestData.rows(first, s);
            long positives = rows.stream().filter(r -> r.startsWith("1,")).count();
            assertThat(manifest.at("/splits/" + s + "/rows").asLong()).as(s).isEqualTo(rows.size());
            assertThat(manifest.at("/splits/" + s + "/positives").asLong()).as(s).isEqualTo(positives);
            assertThat(manifest.at("/splits/" + s + "/positiveRate").asDouble()).as(s)
                    .isCloseTo((double) positives / rows.size(), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(manifest.at("/splits/" + s + "/files").toString()).isEqualTo("[\"" + s + "/part-00000.csv\"]");
        }
        assertThat(manifest.at("/splits/baseline/rows").asLong()).isEqualTo(TestData.rows(first, "baseline").size());
        assertThat(manifest.at("/rejected/total").asLong()).isEqualTo(TestData.rows(first, "rejected").size());
        List<String> columnNames = new ArrayList<>();
        manifest.get("columns").forEach(c -> columnNames.add(c.get("name").asText()));
        assertThat(String.join(",", columnNames)).isEqualTo(TestData.header(first, "baseline"));
        assertThat(manifest.at("/label/column").asText()).isEqualTo("y");
        assertThat(manifest.at("/label/positive").asText()).isEqualTo("yes");
    }

    @Test
    void outputsHaveLabelFirstThenFeaturesUnderTheirOwnNamesWithoutDuration() {
        assertThat(TestData.header(first, "train")).isEqualTo("y," + String.join(",", features));
        assertThat(TestData.header(first, "validation")).isEqualTo(TestData.header(first, "train"));
        assertThat(TestData.header(first, "test")).isEqualTo(TestData.header(first, "train"));
        assertThat(TestData.header(first, "train")).contains("emp.var.rate", "nr.employed").doesNotContain("duration");
        assertThat(manifest.get("droppedColumns").toString()).isEqualTo("[\"duration\"]");
    }

    @Test
    void baselineIsTheTrainingFeaturesWithoutTheLabel() {
        List<String> train = TestData.rows(first, "train");
        List<String> baseline = TestData.rows(first, "baseline");
        assertThat(baseline).hasSameSizeAs(train);
        for (int i = 0; i < train.size(); i++) {
            assertThat(baseline.get(i)).isEqualTo(train.get(i).substring(2));
        }
    }

    @Test
    void theSameSeedGivesByteIdenticalOutputs() throws IOException {
        for (String o : OUTPUTS) {
            assertThat(TestData.parts(second, o)).as(o).hasSize(1);
            assertThat(Files.readAllBytes(second.resolve(o).resolve(EtlJob.PART_FILE))).as(o)
                    .isEqualTo(Files.readAllBytes(first.resolve(o).resolve(EtlJob.PART_FILE)));
        }
        assertThat(Files.readAllBytes(second.resolve(EtlJob.MANIFEST))).isEqualTo(Files.readAllBytes(first.resolve(EtlJob.MANIFEST)));
    }

    @Test
    void theTwoPassJobWritesTheSameRowsAndNumbersAsTheOnePassJob() throws IOException {
        Path onePass = tmp.resolve("one-pass");
        Path twoPass = tmp.resolve("two-pass");
        int completed = TwoPass.COMPLETED.get();
        JsonNode two = TestData.run("--input", TestData.BANK_ZIP.toString(), "--output", twoPass.toString(), "--execution-id", "exec-1");
        assertThat(TwoPass.COMPLETED.get()).as("the two-pass job ran (no fallback)").isEqualTo(completed + 1);
        System.setProperty(EtlJob.TWO_PASS, "false");
        JsonNode one;
        try {
            one = TestData.run("--input", TestData.BANK_ZIP.toString(), "--output", onePass.toString(), "--execution-id", "exec-1");
        } finally {
            System.clearProperty(EtlJob.TWO_PASS);
        }
        assertThat(TwoPass.COMPLETED.get()).as("the one-pass job ran").isEqualTo(completed + 1);
        for (String o : OUTPUTS) {
            assertThat(TestData.rows(twoPass, o)).as(o).containsExactlyInAnyOrderElementsOf(TestData.rows(onePass, o));
            // One input split (the zip is below 64 MB): the same file, byte for byte, in the same (bucket, class, k) order.
            assertThat(TestData.parts(twoPass, o)).as(o).hasSize(1);
            assertThat(Files.readAllBytes(twoPass.resolve(o).resolve(EtlJob.PART_FILE))).as(o)
                    .isEqualTo(Files.readAllBytes(onePass.resolve(o).resolve(EtlJob.PART_FILE)));
        }
        for (String field : List.of("rowsRead", "rowsWritten", "duplicates", "rejected", "splits", "baseline", "valid")) {
            assertThat(two.get(field)).as(field).isEqualTo(one.get(field));
        }
    }

    @Test
    void anotherSeedGivesAnotherSplitOfTheSameSizes() {
        assertThat(TestData.rows(otherSeed, "train")).isNotEqualTo(TestData.rows(first, "train"));
        assertThat(new LinkedHashSet<>(TestData.rows(otherSeed, "test"))).isNotEqualTo(new LinkedHashSet<>(TestData.rows(first, "test")));
        for (String s : EtlJob.SPLITS) {
            assertThat(TestData.rows(otherSeed, s)).hasSameSizeAs(TestData.rows(first, s));
        }
    }

    @Test
    void leavesNoStagingFilesBehind() {
        assertThat(first.resolve(EtlJob.STAGING)).doesNotExist();
        assertThat(TestData.rows(first, "rejected")).isEmpty();
        assertThat(TestData.header(first, "rejected")).startsWith("reject_reason,reject_value,age,");
    }
}
