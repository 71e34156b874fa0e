package io.mlops.etl;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EtlSettingsTest {
    static final String MINIMAL = """
            {"version": 1, "name": "d", "label": {"column": "y", "positive": "1", "negative": ["0"]},
             "columns": [{"name": "a", "type": "numeric"}, {"name": "b", "type": "categorical"}]}
            """;

    static EtlSettings parse(String json) {
        return EtlSettings.parse(json.getBytes(StandardCharsets.UTF_8), "test.json");
    }

    @Test
    void theBundledSettingsAreTheRepositoryFileByteForByte() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(EtlSettings.BUNDLED_BANK)) {
            assertThat(in).isNotNull();
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(Path.of("settings/bank.json")));
        }
    }

    @Test
    void theBankSettingsDropDurationAndLabelYes() throws Exception {
        EtlSettings bank = EtlSettings.parse(Files.readAllBytes(Path.of("settings/bank.json")), "bank.json");
        assertThat(bank.drop()).containsExactly("duration");
        assertThat(bank.label().positive()).isEqualTo("yes");
        assertThat(bank.columns()).hasSize(19).extracting(EtlSettings.Column::name).doesNotContain("duration", "y");
        assertThat(bank.seed()).isEqualTo(42L);
        assertThat(bank.maxRejectFraction()).isEqualTo(0.05);
        assertThat(bank.split().fractions()).containsExactly(0.7, 0.15, 0.15);
    }

    @Test
    void fillsDefaults() {
        EtlSettings s = parse(MINIMAL);
        assertThat(s.delimiter()).isEqualTo("auto");
        assertThat(s.drop()).isEmpty();
        assertThat(s.seed()).isEqualTo(42L);
        assertThat(s.maxRejectFraction()).isEqualTo(0.05);
        assertThat(s.split().fractions()).containsExactly(0.7, 0.15, 0.15);
    }

    @Test
    void failsOnAnUnknownKeyNamingIt() {
        assertThatThrownBy(() -> parse(MINIMAL.replace("\"name\": \"d\"", "\"name\": \"d\", \"sed\": 4")))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("settings file test.json is not valid")
                .hasMessageContaining("\"sed\"");
    }

    @Test
    void failsListingEveryProblem() {
        String bad = """
                {"version": 2, "name": "d", "label": {"column": "a", "positive": "1", "negative": ["1"]},
                 "columns": [{"name": "a", "type": "number"}, {"name": "a", "type": "numeric"}],
                 "drop": ["a"], "split": {"train": 0.8, "validation": 0.3, "test": 0.1}, "maxRejectFraction": 2}
                """;
        assertThatThrownBy(() -> parse(bad))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("\"version\" must be 1, got 2")
                .hasMessageContaining("column \"a\" has type \"number\"; use \"numeric\" or \"categorical\"")
                .hasMessageContaining("column \"a\" is listed twice")
                .hasMessageContaining("column \"a\" is both in \"columns\" and in \"drop\"")
                .hasMessageContaining("label column \"a\" must not be listed")
                .hasMessageContaining("label value \"1\" is both positive and negative")
                .hasMessageContaining("\"split\" fractions must be positive and sum to 1")
                .hasMessageContaining("\"maxRejectFraction\" must be within 0..1, got 2.0");
    }

    @Test
    void commandLineOverridesWin() {
        JobArgs args = JobArgs.parse(new String[] {"--input", "i", "--output", "o", "--seed", "9", "--split", "80/10/10",
                "--max-reject-fraction", "0.5", "--zip-member", "m.csv", "--delimiter", "tab"});
        EtlSettings s = parse(MINIMAL).withOverrides(args, "test.json");
        assertThat(s.seed()).isEqualTo(9L);
        assertThat(s.split().fractions()).containsExactly(0.8, 0.1, 0.1);
        assertThat(s.maxRejectFraction()).isEqualTo(0.5);
        assertThat(s.zipMember()).isEqualTo("m.csv");
        assertThat(EtlSettings.delimiterChar(s.delimiter())).isEqualTo('\t');
        assertThat(EtlSettings.parseSplit("0.6,0.2,0.2").fractions()).containsExactly(0.6, 0.2, 0.2);
    }

    @Test
    void failsOnABadSplitOverride() {
        JobArgs args = JobArgs.parse(new String[] {"--input", "i", "--output", "o", "--split", "70/20"});
        assertThatThrownBy(() -> parse(MINIMAL).withOverrides(args, "test.json"))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("--split must give three numbers");
        JobArgs sum = new JobArgs("i", "o", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("70/20/20"), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> parse(MINIMAL).withOverrides(sum, "test.json"))
                .isInstanceOf(EtlException.class)
                .hasMessageContaining("must be positive and sum to 1");
    }
}
