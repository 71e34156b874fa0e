package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtlManifestTest {
    /** The contract's example (docs/contracts/etl-job.md) with the fields the ETL adds. */
    static final String MANIFEST = """
            {
              "manifestVersion": 1,
              "executionId": "local-1",
              "source": {"uri": "etl/data/bank-additional.zip", "member": "bank-additional/bank-additional-full.csv",
                         "sha256": "e689f38c", "format": "zip"},
              "settings": {"name": "bank-marketing", "seed": 42},
              "rowsRead": 41188,
              "rowsWritten": 41176,
              "duplicates": 12,
              "rejected": {"total": 0, "byReason": {}},
              "splits": {
                "train": {"rows": 28823, "positives": 3247, "positiveRate": 0.1127},
                "validation": {"rows": 6177, "positives": 696, "positiveRate": 0.1127},
                "test": {"rows": 6176, "positives": 696, "positiveRate": 0.1127},
                "baseline": {"rows": 28823}
              },
              "label": {"column": "y", "positive": "yes"},
              "columns": [{"name": "age", "type": "numeric"}, {"name": "job", "type": "categorical"}]
            }
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheFieldsTheRunUses() throws IOException {
        Path file = write(MANIFEST);
        EtlManifest m = EtlManifest.read(file);

        m.check(file);
        assertThat(m.rowsRead()).isEqualTo(41188);
        assertThat(m.test()).isEqualTo(new EtlManifest.Split(6176, 696));
        assertThat(m.sourceSha256()).isEqualTo("e689f38c");
        assertThat(m.sourceMember()).isEqualTo("bank-additional/bank-additional-full.csv");
        assertThat(m.settingsName()).isEqualTo("bank-marketing");
        assertThat(m.columns()).containsExactly("age", "job");
        assertThat(m.summary()).isEqualTo("41188 rows read -> train 28823 / validation 6177 / test 6176 (11.3% positive); "
                + "0 rejected, 12 duplicates");
    }

    @Test
    void failsWhenRowsAreUnaccountedFor() throws IOException {
        Path file = write(MANIFEST.replace("\"duplicates\": 12", "\"duplicates\": 2"));

        assertThatThrownBy(() -> EtlManifest.read(file).check(file)).isInstanceOf(StageFailedException.class)
                .hasMessageContaining("rowsRead = train + validation + test + rejected + duplicates")
                .hasMessageContaining("41188 != 28823 + 6177 + 6176 + 0 + 2");
    }

    @Test
    void failsWhenASplitHasASingleClass() throws IOException {
        Path file = write(MANIFEST.replace("\"rows\": 6176, \"positives\": 696", "\"rows\": 6176, \"positives\": 0")
                .replace("\"duplicates\": 12", "\"duplicates\": 12"));

        assertThatThrownBy(() -> EtlManifest.read(file).check(file)).isInstanceOf(StageFailedException.class)
                .hasMessageContaining("the test split has 6176 rows of which 0 positive");
    }

    @Test
    void failsOnAMissingFieldNamingIt() throws IOException {
        Path file = write(MANIFEST.replace("\"rowsRead\": 41188,", ""));

        assertThatThrownBy(() -> EtlManifest.read(file)).isInstanceOf(StageFailedException.class)
                .hasMessageContaining("/rowsRead").hasMessageContaining("found nothing");
    }

    @Test
    void failsWhenTheManifestIsMissing() {
        assertThatThrownBy(() -> EtlManifest.read(dir.resolve("manifest.json"))).isInstanceOf(StageFailedException.class)
                .hasMessageContaining("without writing").hasMessageContaining("manifest.json");
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("manifest.json"), json);
    }
}
