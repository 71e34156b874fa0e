package io.mlops.etl;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each bad input gets its own clear outcome: a failure naming the problem and the fix, or rejected rows. */
class BadInputTest {
    /** Header + 824 bank rows (86 positives), ;-separated with quoted header, as in the real file. */
    static final List<String> SAMPLE = TestData.bankSample(50);
    static final int AGE = 0;
    static final int Y = 20;

    @TempDir
    Path tmp;

    Path out() {
        return tmp.resolve("out");
    }

    JsonNode run(Path input, String... extra) {
        List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--output", out().toString()));
        args.addAll(Arrays.asList(extra));
        return TestData.run(args.toArray(new String[0]));
    }

    /** The bytes of the train split the last run wrote. */
    byte[] trainBytes() throws IOException {
        return Files.readAllBytes(out().resolve("train").resolve(EtlJob.PART_FILE));
    }

    /** {@code source} gzip-compressed into {@code target}. */
    static Path gzip(Path source, Path target) throws IOException {
        try (GZIPOutputStream os = new GZIPOutputStream(Files.newOutputStream(target))) {
            os.write(Files.readAllBytes(source));
        }
        return target;
    }

    /** SAMPLE with data row {@code i} (1-based) changed by {@code edit}. */
    static List<String> sampleWith(java.util.function.UnaryOperator<String> edit, int... rows) {
        List<String> lines = new ArrayList<>(SAMPLE);
        for (int r : rows) {
            lines.set(r, edit.apply(lines.get(r)));
        }
        return lines;
    }

    @Test
    void failsOnACorruptZipNamingTheArchive() throws IOException {
        byte[] zip = Files.readAllBytes(TestData.BANK_ZIP);
        Path truncated = Files.write(tmp.resolve("truncated.zip"), Arrays.copyOf(zip, zip.length / 2));
        assertThatThrownBy(() -> run(truncated))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("truncated.zip is corrupt or truncated")
                .hasMessageContaining("re-create the zip");
        assertThat(out().resolve(EtlJob.MANIFEST)).doesNotExist();
        assertThat(out().resolve(EtlJob.STAGING)).doesNotExist();
    }

    @Test
    void failsOnAFileNamedZipThatIsNotAZip() {
        Path notZip = TestData.write(tmp.resolve("data.zip"), SAMPLE);
        assertThatThrownBy(() -> run(notZip))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("data.zip is not a valid zip archive");
    }

    @Test
    void failsOnAZipWithoutCsvListingItsEntries() {
        Path zip = TestData.zip(tmp.resolve("nocsv.zip"), "readme.txt", "hello", "__MACOSX/._bank.csv", "junk", "data/.hidden.csv", "x");
        assertThatThrownBy(() -> run(zip))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("contains no .csv file")
                .hasMessageContaining("[readme.txt, __MACOSX/._bank.csv, data/.hidden.csv]");
    }

    @Test
    void failsOnAnUnknownZipMemberListingTheCsvMembers() {
        assertThatThrownBy(() -> run(TestData.BANK_ZIP, "--zip-member", "bank.csv"))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("has no member 'bank.csv'")
                .hasMessageContaining("CSV members: [bank-additional/bank-additional.csv, bank-additional/bank-additional-full.csv]");
    }

    @Test
    void readsTheZipMemberNamedInTheArguments() {
        JsonNode manifest = run(TestData.BANK_ZIP, "--zip-member", "bank-additional.csv");
        assertThat(manifest.at("/source/member").asText()).isEqualTo("bank-additional/bank-additional.csv");
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(4119);
    }

    @Test
    void failsOnAnEmptyFile() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.csv"));
        assertThatThrownBy(() -> run(empty))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("empty.csv is empty (0 bytes)");
    }

    @Test
    void failsOnAHeaderWithoutRows() {
        Path headerOnly = TestData.write(tmp.resolve("header-only.csv"), SAMPLE.subList(0, 1));
        assertThatThrownBy(() -> run(headerOnly))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("has a header but no data rows");
    }

    @Test
    void failsOnAMissingInput() {
        assertThatThrownBy(() -> run(tmp.resolve("nope.csv")))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("nope.csv does not exist");
    }

    @Test
    void failsAtOnceOnAMissingColumnListingExpectedAndFound() {
        List<String> lines = new ArrayList<>();
        for (String line : SAMPLE) {
            lines.add(line.substring(line.indexOf(';') + 1)); // remove the first column, age
        }
        Path input = TestData.write(tmp.resolve("no-age.csv"), lines);
        assertThatThrownBy(() -> run(input))
                .isInstanceOf(EtlException.class)
                .hasMessageStartingWith("missing required column(s) [age]; ")
                .hasMessageContaining("expected [age, job, marital")
                .hasMessageContaining("found [job, marital, education")
                .hasMessageContaining("fix the header or the settings file classpath:io/mlops/etl/settings/bank.json");
    }

    @Test
    void failsOnAnUndeclaredColumn() {
        List<String> lines = new ArrayList<>();
        lines.add(SAMPLE.get(0) + ";\"bonus\"");
        SAMPLE.subList(1, SAMPLE.size()).forEach(l -> lines.add(l + ";1"));
        Path input = TestData.write(tmp.resolve("extra.csv"), lines);
        assertThatThrownBy(() -> run(input))
                .isInstanceOf(EtlException.class)
                .hasMessageStartingWith("unexpected column(s) [bonus]");
    }

    @Test
    void failsOnAWrongDelimiterInTheSettingsNamingTheRightOne() {
        assertThatThrownBy(() -> run(TestData.write(tmp.resolve("bank.csv"), SAMPLE), "--delimiter", ","))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("missing required column(s) [age, job,")
                .hasMessageContaining("split on ','")
                .hasMessageContaining("splitting on ';' would give 21 columns");
    }

    @Test
    void failsWhenTheRowsUseAnotherDelimiterThanTheHeader() {
        List<String> lines = new ArrayList<>();
        lines.add(SAMPLE.get(0));
        SAMPLE.subList(1, SAMPLE.size()).forEach(l -> lines.add(l.replace(';', ',')));
        Path input = TestData.write(tmp.resolve("mixed.csv"), lines);
        assertThatThrownBy(() -> run(input))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("rejected 824 of 824 rows read (100.00%)")
                .hasMessageContaining("wrong_field_count=824")
                .hasMessageContaining("are the data rows delimited by ';' like the header?");
    }

    @Test
    void rejectsRowsWithANonNumericAgeAndKeepsTheRest() {
        Path input = TestData.write(tmp.resolve("bad-age.csv"), sampleWith(l -> TestData.withField(l, AGE, "abc"), 3, 10, 500));
        JsonNode manifest = run(input);
        assertThat(manifest.at("/rejected/total").asLong()).isEqualTo(3);
        assertThat(manifest.at("/rejected/byReason").toString()).isEqualTo("{\"unparseable_number:age\":3}");
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(824);
        assertThat(manifest.get("rowsWritten").asLong()).isEqualTo(821);
        List<String> rejected = TestData.rows(out(), "rejected");
        assertThat(rejected).hasSize(3).allMatch(r -> r.startsWith("unparseable_number:age,abc,abc,"));
    }

    @Test
    void rejectsNumbersThatAreNotPlainFiniteNumbers() {
        String[] bad = {"NaN", "Infinity", "1e999", "0x10", "12d", "1.2.3", "--1", "e5", "4 5"};
        int[] rows = new int[bad.length];
        List<String> lines = new ArrayList<>(SAMPLE);
        for (int i = 0; i < bad.length; i++) {
            rows[i] = 1 + i * 7;
            lines.set(rows[i], TestData.withField(lines.get(rows[i]), AGE, bad[i]));
        }
        lines.set(100, TestData.withField(lines.get(100), AGE, " 41 ")); // surrounding blanks are trimmed: valid
        lines.set(101, TestData.withField(lines.get(101), AGE, "4.1e1"));
        JsonNode manifest = run(TestData.write(tmp.resolve("numbers.csv"), lines), "--max-reject-fraction", "0.2");
        assertThat(manifest.at("/rejected/byReason/unparseable_number:age").asLong()).isEqualTo(bad.length);
        assertThat(TestData.rows(out(), "rejected")).extracting(r -> r.split(",")[1])
                .containsExactlyInAnyOrder(bad);
    }

    @Test
    void rejectsAnUnknownLabelValue() {
        Path input = TestData.write(tmp.resolve("maybe.csv"), sampleWith(l -> TestData.withField(l, Y, "\"maybe\""), 7));
        JsonNode manifest = run(input);
        assertThat(manifest.at("/rejected/byReason").toString()).isEqualTo("{\"unknown_label:y\":1}");
        assertThat(TestData.rows(out(), "rejected")).singleElement().asString().startsWith("unknown_label:y,maybe,");
    }

    @Test
    void rejectsEmptyValuesAndRowsWithTheWrongFieldCount() {
        List<String> lines = sampleWith(l -> TestData.withField(l, 1, "\"\""), 5);
        lines.set(6, TestData.withField(lines.get(6), 14, "  "));
        lines.set(7, lines.get(7) + ";\"extra\"");
        lines.set(8, lines.get(8).substring(0, lines.get(8).lastIndexOf(';')));
        JsonNode manifest = run(TestData.write(tmp.resolve("holes.csv"), lines));
        assertThat(manifest.at("/rejected/byReason").toString())
                .isEqualTo("{\"empty_value:job\":1,\"empty_value:poutcome\":1,\"wrong_field_count\":2}");
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(824);
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(manifest.get("rowsWritten").asLong() + 4 + manifest.get("duplicates").asLong());
        assertThat(TestData.rows(out(), "rejected")).filteredOn(r -> r.startsWith("wrong_field_count"))
                .hasSize(2).allMatch(r -> r.endsWith("\""));
    }

    @Test
    void failsWhenRejectsExceedTheThresholdWithTheCountsAndKeepsTheRejectedRows() {
        int[] rows = new int[50];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = 1 + i * 16;
        }
        Path input = TestData.write(tmp.resolve("many-bad.csv"), sampleWith(l -> TestData.withField(l, AGE, "?"), rows));
        assertThatThrownBy(() -> run(input))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("rejected 50 of 824 rows read (6.07%), above maxRejectFraction 0.05 (5.00%)")
                .hasMessageContaining("{unparseable_number:age=50}")
                .hasMessageContaining("/rejected/");
        assertThat(TestData.rows(out(), "rejected")).hasSize(50);
        assertThat(out().resolve(EtlJob.MANIFEST)).doesNotExist();
        assertThat(out().resolve("train")).doesNotExist();
        // the same data passes with a higher threshold
        assertThat(run(input, "--max-reject-fraction", "0.1").at("/rejected/total").asLong()).isEqualTo(50);
    }

    @Test
    void readsGzipAndPrefixInputsLikeThePlainFile() throws IOException {
        Path plain = TestData.write(tmp.resolve("plain/bank.csv"), SAMPLE);
        run(plain);
        byte[] expectedTrain = trainBytes();

        JsonNode gzManifest = run(gzip(plain, tmp.resolve("bank.csv.gz")));
        assertThat(gzManifest.at("/source/format").asText()).isEqualTo("csv.gz");
        assertThat(trainBytes()).isEqualTo(expectedTrain);

        Path prefix = tmp.resolve("prefix");
        TestData.write(prefix.resolve("a.csv"), SAMPLE.subList(0, 400));
        List<String> rest = new ArrayList<>(SAMPLE.subList(400, SAMPLE.size()));
        rest.add(0, SAMPLE.get(0));
        TestData.write(prefix.resolve("b.csv"), rest);
        JsonNode prefixManifest = run(prefix);
        assertThat(prefixManifest.at("/source/format").asText()).isEqualTo("prefix");
        assertThat(prefixManifest.get("rowsRead").asLong()).isEqualTo(824);
        assertThat(trainBytes()).isEqualTo(expectedTrain);
    }

    /** A CodePipeline S3 source action stores the uploaded object under a key without extension. */
    @Test
    void readsAZipArtifactWithoutExtensionByItsSignature() throws IOException {
        JsonNode viaZip = run(TestData.BANK_ZIP);
        byte[] expectedTrain = trainBytes();
        Path artifact = Files.copy(TestData.BANK_ZIP, tmp.resolve("Xk3q9Tz"));
        JsonNode manifest = run(artifact);
        assertThat(manifest.at("/source/format").asText()).isEqualTo("zip");
        assertThat(manifest.at("/source/member").asText()).isEqualTo(TestData.FULL_MEMBER);
        assertThat(manifest.at("/source/sha256").asText()).isEqualTo(viaZip.at("/source/sha256").asText());
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(41188);
        assertThat(trainBytes()).isEqualTo(expectedTrain);
        assertThat(out().resolve(EtlJob.STAGING)).doesNotExist();
    }

    @Test
    void readsGzipAndPlainArtifactsWithoutExtensionBySignature() throws IOException {
        Path plain = TestData.write(tmp.resolve("plain/bank.csv"), SAMPLE);
        run(plain);
        byte[] expectedTrain = trainBytes();

        Path gz = gzip(plain, tmp.resolve("gzipArtifact"));
        JsonNode gzManifest = run(gz);
        assertThat(gzManifest.at("/source/format").asText()).isEqualTo("csv.gz");
        assertThat(gzManifest.at("/source/sha256").asText()).isEqualTo(Hashing.sha256(Files.readAllBytes(gz)));
        assertThat(trainBytes()).isEqualTo(expectedTrain);

        Path bare = Files.copy(plain, tmp.resolve("plainArtifact"));
        assertThat(run(bare).at("/source/format").asText()).isEqualTo("csv");
        assertThat(trainBytes()).isEqualTo(expectedTrain);
    }

    @Test
    void failsOnATruncatedGzipArtifactNamingTheFile() throws IOException {
        byte[] gz = Files.readAllBytes(gzip(TestData.write(tmp.resolve("bank.csv"), SAMPLE), tmp.resolve("bank.csv.gz")));
        Path truncated = Files.write(tmp.resolve("artifact"), Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> run(truncated))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("gzip file")
                .hasMessageContaining("artifact is corrupt or truncated")
                .hasMessageContaining("compress the CSV again");
        assertThat(out().resolve(EtlJob.MANIFEST)).doesNotExist();
        assertThat(out().resolve(EtlJob.STAGING)).doesNotExist();
    }

    @Test
    void failsOnAZipNamedLikeACsvFile() throws IOException {
        Path misnamed = Files.copy(TestData.BANK_ZIP, tmp.resolve("bank.csv"));
        assertThatThrownBy(() -> run(misnamed))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("bank.csv is a zip archive but is named like a CSV file; rename it to .zip");
    }

    @Test
    void failsOnAPrefixWhoseFilesHaveDifferentHeaders() {
        Path prefix = tmp.resolve("prefix");
        TestData.write(prefix.resolve("a.csv"), SAMPLE.subList(0, 100));
        List<String> other = new ArrayList<>(SAMPLE.subList(100, 200));
        other.add(0, SAMPLE.get(0).replace("\"age\"", "\"Age\""));
        TestData.write(prefix.resolve("b.csv"), other);
        assertThatThrownBy(() -> run(prefix))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("b.csv has header [Age, job")
                .hasMessageContaining("need the same columns in the same order");
    }
}
