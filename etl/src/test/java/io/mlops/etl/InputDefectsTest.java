package io.mlops.etl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Input problems a new user meets with a generated dataset of their own (issue 14): label values other
 * than the settings', text that is not in the expected encoding, quoted fields with a line break.
 */
class InputDefectsTest {
    static final String SETTINGS = """
            {
              "version": 1,
              "name": "tumours",
              "label": {"column": "diagnosis", "positive": "M", "negative": "B"},
              "columns": [
                {"name": "radius", "type": "numeric"},
                {"name": "clinic", "type": "categorical"}
              ],
              "drop": ["id"]
            }
            """;
    static final String HEADER = "id,radius,clinic,diagnosis";

    @TempDir
    Path tmp;

    Path out() {
        return tmp.resolve("out");
    }

    Path settings(String extra) throws IOException {
        String json = extra.isEmpty() ? SETTINGS : SETTINGS.replace("\"drop\": [\"id\"]", "\"drop\": [\"id\"], " + extra);
        return Files.writeString(tmp.resolve("settings.json"), json);
    }

    /** {@code rows} data rows: id, radius, clinic (cycling through {@code clinics}), diagnosis from {@code label}. */
    static List<String> rows(int rows, String[] clinics, java.util.function.IntFunction<String> label) {
        Random random = new Random(3);
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (int i = 0; i < rows; i++) {
            lines.add(String.join(",", "P" + i, String.format(Locale.ROOT, "%.2f", 5 + random.nextDouble() * 20),
                    clinics[i % clinics.length], label.apply(i)));
        }
        return lines;
    }

    com.fasterxml.jackson.databind.JsonNode run(Path input, Path settings, String... extra) {
        List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--output", out().toString(),
                "--settings", settings.toString()));
        args.addAll(List.of(extra));
        return TestData.run(args.toArray(new String[0]));
    }

    // ------------------------------------------------------------------------------------------------
    // 1. unknown label values are listed

    @Test
    void failsOnLabelValuesUnlikeTheSettingsListingTheMostFrequentValues() throws IOException {
        // The file spells out what the settings abbreviate: every row is rejected.
        Path input = TestData.write(tmp.resolve("spelled.csv"),
                rows(300, new String[] {"north", "south"}, i -> i % 3 == 0 ? "malignant" : "benign"));
        assertThatThrownBy(() -> run(input, settings("")))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("rejected 300 of 300 rows read")
                .hasMessageContaining("{unknown_label:diagnosis=300}")
                .hasMessageContaining("unknown values of label column diagnosis in 300 rows, most frequent first:"
                        + " 'benign' (200), 'malignant' (100) (allowed: label.positive 'M', label.negative ['B'])");
    }

    @Test
    void failsOnAMissingClassListingTheUnknownLabelValuesAtMostFiveCutTo40Characters() throws IOException {
        // Below maxRejectFraction, but no row is positive: the values found show why.
        String longValue = "x".repeat(45);
        String[] unknown = {longValue, "m", "Malignant", "M ?", "mal", "maligne"};
        Path input = TestData.write(tmp.resolve("few.csv"), rows(1000, new String[] {"north"},
                i -> i % 50 == 0 ? unknown[(i / 50) % unknown.length] : i % 50 == 1 && i < 500 ? "Malignant" : "B"));
        assertThatThrownBy(() -> run(input, settings(""), "--max-reject-fraction", "0.5"))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("label column diagnosis has 0 positive ('M') and 970 negative [B] valid rows;"
                        + " unknown values of label column diagnosis in 30 rows, most frequent first: 'Malignant' (13), 'm' (4), '"
                        + "x".repeat(40) + "...' (4), 'M ?' (3), 'mal' (3), ... (allowed: label.positive 'M'")
                .hasMessageNotContaining(longValue)
                .hasMessageContaining("check the data or label.positive/negative in ");
    }

    // ------------------------------------------------------------------------------------------------
    // 2. input that is not UTF-8

    static final java.nio.charset.Charset CP1252 = java.nio.charset.Charset.forName("windows-1252");
    /** Distinct categories that all turn into "Caf\uFFFD" or "O\uFFFDNeil" when cp1252 is read as UTF-8. */
    static final String[] ACCENTED = {"Café", "Cafè", "O’Neil", "O‘Neil", "north"};

    static Path writeCp1252(Path file, List<String> lines) throws IOException {
        return Files.write(file, (String.join("\n", lines) + "\n").getBytes(CP1252));
    }

    @Test
    void failsOnWindows1252InputReadAsUtf8NamingTheEncodingSetting() throws IOException {
        Path input = writeCp1252(tmp.resolve("cp1252.csv"), rows(400, ACCENTED, i -> i % 4 == 0 ? "M" : "B"));
        assertThatThrownBy(() -> run(input, settings("")))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("rejected 320 of 400 rows read")
                .hasMessageContaining("{invalid_encoding:clinic=320}")
                .hasMessageContaining("320 rows have text that is not valid UTF-8: set \"encoding\" in ")
                .hasMessageContaining("(or --encoding) to the file's encoding, e.g. \"windows-1252\"");
        List<String> rejected = TestData.rows(out(), "rejected");
        assertThat(rejected).hasSize(320).allMatch(r -> r.startsWith("invalid_encoding:clinic,Caf\uFFFD,")
                || r.startsWith("invalid_encoding:clinic,O\uFFFDNeil,"));
    }

    @Test
    void rejectsRowsThatDoNotDecodeNamingTheColumnAndKeepsTheRest() throws IOException {
        List<String> lines = rows(400, new String[] {"north", "south"}, i -> i % 4 == 0 ? "M" : "B");
        lines.set(5, lines.get(5).replace("north", "Café").replace(",P4,", ","));
        lines.set(9, "P8é" + lines.get(9).substring(2)); // in the dropped id column: still a corrupt row
        Path input = writeCp1252(tmp.resolve("few.csv"), lines);
        var manifest = run(input, settings(""));
        assertThat(manifest.at("/rejected/byReason").toString()).isEqualTo("{\"invalid_encoding:clinic\":1,\"invalid_encoding:id\":1}");
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(400);
        assertThat(manifest.get("rowsWritten").asLong()).isEqualTo(398);
        assertThat(TestData.rows(out(), "rejected")).containsExactlyInAnyOrder(
                "invalid_encoding:clinic,Caf\uFFFD,P4," + lines.get(5).split(",")[1] + ",Caf\uFFFD,M,",
                "invalid_encoding:id,P8\uFFFD,P8\uFFFD," + lines.get(9).substring(lines.get(9).indexOf(',') + 1) + ",");
    }

    @Test
    void readsWindows1252InputWithTheEncodingSettingKeepingTheCategoriesApart() throws IOException {
        Path input = writeCp1252(tmp.resolve("cp1252.csv"), rows(400, ACCENTED, i -> i % 4 == 0 ? "M" : "B"));
        var manifest = run(input, settings("\"encoding\": \"windows-1252\""));
        assertThat(manifest.at("/rejected/total").asLong()).isZero();
        assertThat(manifest.get("rowsWritten").asLong()).isEqualTo(400);
        List<String> written = new ArrayList<>();
        for (String split : EtlJob.SPLITS) {
            written.addAll(TestData.rows(out(), split));
        }
        java.util.Map<String, Long> clinics = new java.util.TreeMap<>();
        written.forEach(r -> clinics.merge(r.split(",")[2], 1L, Long::sum));
        assertThat(clinics).containsOnlyKeys(ACCENTED).allSatisfy((k, n) -> assertThat(n).isEqualTo(80L));
        // the outputs are UTF-8
        assertThat(new String(Files.readAllBytes(out().resolve("train").resolve(EtlJob.PART_FILE)), StandardCharsets.UTF_8))
                .contains(",Café\n").contains(",O’Neil\n");

        // the same with the override argument
        var overridden = run(input, settings(""), "--encoding", "windows-1252");
        assertThat(overridden.get("rowsWritten").asLong()).isEqualTo(400);
    }

    @Test
    void failsOnAHeaderThatDoesNotDecodeNamingTheEncodingSetting() throws IOException {
        List<String> lines = rows(100, new String[] {"north", "south"}, i -> i % 4 == 0 ? "M" : "B");
        lines.set(0, HEADER.replace("clinic", "clínica"));
        Path input = writeCp1252(tmp.resolve("header.csv"), lines);
        Path settings = Files.writeString(tmp.resolve("settings.json"), SETTINGS.replace("\"clinic\"", "\"clínica\""));
        assertThatThrownBy(() -> run(input, settings))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("the header of ")
                .hasMessageContaining("header.csv is not valid UTF-8 text")
                .hasMessageContaining("bytes ED 6E 69 63 at byte 12")
                .hasMessageContaining("set \"encoding\" in the settings (or --encoding) to the file's encoding, e.g. \"windows-1252\"");
        assertThat(run(input, settings, "--encoding", "ISO-8859-1").get("rowsWritten").asLong()).isEqualTo(100);
    }

    @Test
    void failsOnAnEncodingThatIsNotAsciiCompatible() {
        for (String bad : List.of("UTF-16", "UTF-32", "no-such-charset")) {
            assertThatThrownBy(() -> EtlSettings.parse(SETTINGS.replace("\"drop\": [\"id\"]",
                    "\"drop\": [\"id\"], \"encoding\": \"" + bad + "\"").getBytes(StandardCharsets.UTF_8), "s.json"))
                    .isInstanceOf(EtlException.class)
                    .hasMessageContaining("\"encoding\" must be a charset that encodes ASCII as single bytes, such as UTF-8,"
                            + " windows-1252, ISO-8859-1, ISO-8859-15 (UTF-16 and UTF-32 are not supported), got \"" + bad + "\"");
        }
        assertThat(EtlSettings.parse(SETTINGS.getBytes(StandardCharsets.UTF_8), "s.json").encoding()).isEqualTo("UTF-8");
    }

    // ------------------------------------------------------------------------------------------------
    // 3. quoted fields with a line break

    @Test
    void rejectsEachRecordWithALineBreakInAQuotedValueOnceCountingRecords() throws IOException {
        List<String> lines = rows(300, new String[] {"north", "south"}, i -> i % 4 == 0 ? "M" : "B");
        lines.set(10, lines.get(10).replace(",south,", ",\"south\nwing\",")); // a feature, as a spreadsheet writes it
        lines.set(20, lines.get(20).replaceFirst(",B$", ",\"B\r\n(checked)\""));   // the label, last column
        lines.set(30, lines.get(30).replaceFirst("^P29,", "\"P29\nb\","));          // the dropped id: parsed, kept
        lines.set(40, lines.get(40).replace(",south,", ",\"south\n\nwest\","));  // an empty line inside
        var manifest = run(TestData.write(tmp.resolve("multiline.csv"), lines), settingsUnchecked());
        assertThat(manifest.get("rowsRead").asLong()).isEqualTo(300);
        assertThat(manifest.at("/rejected/byReason").toString())
                .isEqualTo("{\"line_break_in_value:clinic\":2,\"line_break_in_value:diagnosis\":1}");
        assertThat(manifest.get("rowsWritten").asLong()).isEqualTo(297);
        String rejected = Files.readString(out().resolve("rejected").resolve(EtlJob.PART_FILE));
        assertThat(rejected).contains("line_break_in_value:clinic,\"south\nwing\",P9,")
                .contains("line_break_in_value:diagnosis,\"B\r\n(checked)\",P19,");
    }

    @Test
    void failsOnManyLineBreaksInQuotedValuesWithTheRecordCount() {
        List<String> lines = rows(100, new String[] {"north", "south"}, i -> i % 4 == 0 ? "M" : "B");
        for (int i = 1; i <= 100; i += 10) {
            lines.set(i, lines.get(i).replace(",north,", ",\"north\nwing\",").replace(",south,", ",\"south\nwing\","));
        }
        assertThatThrownBy(() -> run(TestData.write(tmp.resolve("many.csv"), lines), settingsUnchecked()))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("rejected 10 of 100 rows read (10.00%)")
                .hasMessageContaining("{line_break_in_value:clinic=10}");
    }

    Path settingsUnchecked() {
        try {
            return settings("");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
