package io.mlops.etl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CsvHeaderTest {
    @Test
    void detectsSemicolonAndStripsQuotes() {
        String bank = "\"age\";\"job\";\"emp.var.rate\";\"y\"";
        assertThat(CsvHeader.detect(bank)).isEqualTo(';');
        assertThat(CsvHeader.split(bank, ';')).containsExactly("age", "job", "emp.var.rate", "y");
    }

    @Test
    void detectsCommaTabAndPipe() {
        assertThat(CsvHeader.detect("a,b,c")).isEqualTo(',');
        assertThat(CsvHeader.detect("a\tb\tc")).isEqualTo('\t');
        assertThat(CsvHeader.detect("a|b|c")).isEqualTo('|');
    }

    @Test
    void delimitersInsideQuotesDoNotCount() {
        String line = "\"a;1\",\"b;2\",\"c;3\",d";
        assertThat(CsvHeader.detect(line)).isEqualTo(',');
        assertThat(CsvHeader.split(line, ',')).containsExactly("a;1", "b;2", "c;3", "d");
        assertThat(CsvHeader.split("\"say \"\"hi\"\"\",x", ',')).containsExactly("say \"hi\"", "x");
    }

    @Test
    void readsTheFirstLineWithoutBomOrCarriageReturn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("h.csv"), "\uFEFF\"a\";\"b\"\r\n1;2\r\n");
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
        CsvHeader header = CsvHeader.read(path.getFileSystem(conf), path, conf, (char) 0);
        assertThat(header.delimiter()).isEqualTo(';');
        assertThat(header.names()).containsExactly("a", "b");
    }
}
