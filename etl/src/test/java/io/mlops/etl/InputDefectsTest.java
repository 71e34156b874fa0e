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
}
