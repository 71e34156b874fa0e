package io.mlops.systemtests.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

    @Test
    void readsQuotedFieldsEscapedQuotesAndLineBreaksInsideQuotes() throws IOException {
        List<List<String>> records = read("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n\n3,,last");
        assertThat(records).containsExactly(
                List.of("a", "b", "c"),
                List.of("1", "x, y", "say \"hi\""),
                List.of("2", "two\nlines", ""),
                List.of("3", "", "last"));
    }

    @Test
    void tracksTheLineWhereEachRecordStarts() throws IOException {
        CsvReader reader = new CsvReader(new StringReader("h\n\"a\nb\"\nc\n"), "f.csv");
        reader.next();
        assertThat(reader.recordLine()).isEqualTo(1);
        reader.next();
        assertThat(reader.recordLine()).isEqualTo(2);
        reader.next();
        assertThat(reader.recordLine()).isEqualTo(4);
        assertThat(reader.next()).isNull();
    }

    @Test
    void failsOnAnUnterminatedQuote() {
        assertThatThrownBy(() -> read("a,b\n1,\"open\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t.csv line 2").hasMessageContaining("quoted field is not closed");
    }

    @Test
    void formatQuotesOnlyWhatNeedsIt() throws IOException {
        List<String> fields = List.of("plain", "with, comma", "with \"quote\"", "two\nlines", "");
        String line = CsvReader.format(fields);
        assertThat(line).isEqualTo("plain,\"with, comma\",\"with \"\"quote\"\"\",\"two\nlines\",");
        assertThat(read(line)).containsExactly(fields);
    }

    private static List<List<String>> read(String text) throws IOException {
        CsvReader reader = new CsvReader(new StringReader(text), "t.csv");
        List<List<String>> records = new ArrayList<>();
        List<String> record;
        while ((record = reader.next()) != null) {
            records.add(record);
        }
        return records;
    }
}
