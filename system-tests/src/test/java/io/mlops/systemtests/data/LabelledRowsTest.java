package io.mlops.systemtests.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledRowsTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryCsvFileOfAFolderInNameOrderSkippingEmptyFilesAndMarkers() throws IOException {
        Files.writeString(dir.resolve("part-00001.csv"), "y,a,b\n0,3,z\n");
        Files.writeString(dir.resolve("part-00000.csv"), "y,a,b\n1,1,x\n0,2,\"y, q\"\n");
        Files.writeString(dir.resolve("part-00002.csv"), "");
        Files.writeString(dir.resolve("_SUCCESS"), "");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("part-00003.csv.gz")))) {
            out.write("y,a,b\n1,4,w\n".getBytes(StandardCharsets.UTF_8));
        }
        try (LabelledRows rows = new LabelledRows(TestData.local(dir))) {
            assertThat(rows.featureHeader()).containsExactly("a", "b");
            List<LabelledRow> all = new ArrayList<>();
            LabelledRow row;
            while ((row = rows.next()) != null) {
                all.add(row);
            }
            assertThat(all).extracting(LabelledRow::label).containsExactly(1, 0, 0, 1);
            assertThat(all).extracting(LabelledRow::features).containsExactly(
                    List.of("1", "x"), List.of("2", "y, q"), List.of("3", "z"), List.of("4", "w"));
            assertThat(all.get(2).source()).endsWith("part-00001.csv");
            assertThat(all.get(2).line()).isEqualTo(2);
        }
    }

    @Test
    void failsWhenTheLabelIsNotTheFirstColumn() throws IOException {
        Path file = Files.writeString(dir.resolve("t.csv"), "age,y\n1,0\n");
        assertThatThrownBy(() -> new LabelledRows(TestData.local(file)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with the label column 'y'").hasMessageContaining("[age, y]");
    }

    @Test
    void failsWhenFilesHaveDifferentHeaders() throws IOException {
        Files.writeString(dir.resolve("part-0.csv"), "y,a\n1,1\n");
        Files.writeString(dir.resolve("part-1.csv"), "y,b\n1,1\n");
        try (LabelledRows rows = new LabelledRows(TestData.local(dir))) {
            rows.next();
            assertThatThrownBy(rows::next).hasMessageContaining("part-1.csv: header [y, b] differs");
        }
    }

    @Test
    void failsOnALabelThatIsNotZeroOrOneNamingFileAndLine() throws IOException {
        Path file = Files.writeString(dir.resolve("t.csv"), "y,a\n1,1\nyes,2\n");
        try (LabelledRows rows = new LabelledRows(TestData.local(file))) {
            rows.next();
            assertThatThrownBy(rows::next).hasMessageContaining("t.csv line 3: label y is 'yes', expected 0 or 1");
        }
    }

    @Test
    void failsOnAWrongFieldCount() throws IOException {
        Path file = Files.writeString(dir.resolve("t.csv"), "y,a,b\n1,1\n");
        try (LabelledRows rows = new LabelledRows(TestData.local(file))) {
            assertThatThrownBy(rows::next).hasMessageContaining("line 2 has 2 fields but the header has 3");
        }
    }

    @Test
    void failsOnAMissingOrEmptyFolder() {
        assertThatThrownBy(() -> TestData.local(dir.resolve("nope")).files())
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> TestData.local(dir).files())
                .hasMessageContaining("no .csv or .csv.gz files");
    }
}
