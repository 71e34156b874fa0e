package io.mlops.systemtests.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestBodiesTest {
    @TempDir
    Path dir;

    @Test
    void dropsTheLabelAndSamplesRecordsPerRequestWithASeed() throws IOException {
        Path csv = Files.writeString(dir.resolve("t.csv"), "y,age,job\n1,30,admin.\n0,40,\"blue, collar\"\n0,50,x\n");
        RequestBodies bodies = RequestBodies.fromCsv(csv, "y", 3, "text/csv", 7);

        assertThat(bodies.labelDropped()).isTrue();
        assertThat(bodies.sourceRows()).isEqualTo(3);
        String body = new String(bodies.body(0), StandardCharsets.UTF_8);
        assertThat(body).startsWith("age,job\n");
        assertThat(body.lines()).hasSize(4).allSatisfy(line -> assertThat(line).doesNotStartWith("1,").doesNotStartWith("0,"));
        assertThat(RequestBodies.fromCsv(csv, "y", 3, "text/csv", 7).body(5)).isEqualTo(bodies.body(5));
        assertThat(bodies.body(RequestBodies.POOL_SIZE + 5)).isEqualTo(bodies.body(5));
    }

    @Test
    void keepsEveryColumnWhenThereIsNoLabelAndWritesJsonWithTypedValues() throws IOException {
        Path csv = Files.writeString(dir.resolve("t.csv"), "age,job,rate\n30,admin.,1.5\n");
        RequestBodies bodies = RequestBodies.fromCsv(csv, "y", 2, "application/json", 1);

        assertThat(bodies.labelDropped()).isFalse();
        assertThat(new String(bodies.body(0), StandardCharsets.UTF_8)).isEqualTo(
                "[{\"age\":30,\"job\":\"admin.\",\"rate\":1.5},{\"age\":30,\"job\":\"admin.\",\"rate\":1.5}]");
    }

    @Test
    void readsEveryFileOfAFolderSuchAsTheEtlTestSplit() throws IOException {
        Path split = Files.createDirectories(dir.resolve("test"));
        Files.writeString(split.resolve("part-00000.csv"), "y,age\n1,30\n");
        Files.writeString(split.resolve("part-00001.csv"), "y,age\n0,40\n0,50\n");
        Files.writeString(split.resolve("_SUCCESS"), "");
        RequestBodies bodies = RequestBodies.fromCsv(split, "y", 1, "text/csv", 3);
        assertThat(bodies.sourceRows()).isEqualTo(3);
        Files.writeString(split.resolve("part-00002.csv"), "y,job\n0,x\n");
        assertThatThrownBy(() -> RequestBodies.fromCsv(split, "y", 1, "text/csv", 3))
                .hasMessageContaining("part-00002.csv: header [y, job] differs from the first file's header [y, age]");
    }

    @Test
    void failsOnAMissingFileAnUnsupportedTypeAndBadCounts() throws IOException {
        Path csv = Files.writeString(dir.resolve("t.csv"), "a,b\n1,2\n");
        assertThatThrownBy(() -> RequestBodies.fromCsv(dir.resolve("nope.csv"), "y", 1, "text/csv", 1))
                .hasMessageContaining("nope.csv does not exist");
        assertThatThrownBy(() -> RequestBodies.fromCsv(csv, "y", 1, "text/plain", 1))
                .hasMessageContaining("--content-type must be text/csv or application/json").hasMessageContaining("'text/plain'");
        assertThatThrownBy(() -> RequestBodies.fromCsv(csv, "y", 0, "text/csv", 1))
                .hasMessageContaining("--rows-per-request must be at least 1; received 0");
        Path ragged = Files.writeString(dir.resolve("r.csv"), "a,b\n1,2,3\n");
        assertThatThrownBy(() -> RequestBodies.fromCsv(ragged, "y", 1, "text/csv", 1))
                .hasMessageContaining("r.csv line 2 has 3 fields but the header has 2");
        Path headerOnly = Files.writeString(dir.resolve("h.csv"), "a,b\n");
        assertThatThrownBy(() -> RequestBodies.fromCsv(headerOnly, "y", 1, "text/csv", 1))
                .hasMessageContaining("has a header but no records");
    }
}
