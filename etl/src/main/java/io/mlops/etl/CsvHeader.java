package io.mlops.etl;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header line of a CSV file: its delimiter (detected among {@code , ; tab |} unless the settings fix
 * it) and its column names (quotes removed, RFC 4180 {@code ""} escapes, UTF-8 BOM stripped).
 */
record CsvHeader(char delimiter, List<String> names, String line) {
    static final char[] CANDIDATES = {',', ';', '\t', '|'};
    private static final int MAX_HEADER_BYTES = 1 << 20;

    /** Reads and parses the first line of {@code file} (decompressing {@code .gz}). */
    static CsvHeader read(FileSystem fs, Path file, Configuration conf, char fixedDelimiter) {
        String line = firstLine(fs, file, conf);
        if (line.isBlank()) {
            throw new EtlException("the first line of " + file + " is empty; the file must start with a header row naming the columns");
        }
        char delimiter = fixedDelimiter != 0 ? fixedDelimiter : detect(line);
        return new CsvHeader(delimiter, split(line, delimiter), line);
    }

    static String firstLine(FileSystem fs, Path file, Configuration conf) {
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream raw = fs.open(file);
             InputStream in = codec == null ? raw : codec.createInputStream(raw)) {
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (bytes.size() >= MAX_HEADER_BYTES) {
                    throw new EtlException("no line break in the first 1 MiB of " + file + "; it is not a CSV file with a header row");
                }
                bytes.write(b);
            }
        } catch (IOException e) {
            throw new EtlException("cannot read the header of " + file + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + ")" + (codec == null ? "" : "; is it really " + codec.getDefaultExtension() + "-compressed?"), e);
        }
        String line = bytes.toString(StandardCharsets.UTF_8);
        if (line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        return line;
    }

    /** The candidate delimiter that occurs most often outside quotes; {@code ,} when none occurs. */
    static char detect(String line) {
        char best = ',';
        int bestCount = 0;
        for (char c : CANDIDATES) {
            int count = split(line, c).size() - 1;
            if (count > bestCount) {
                best = c;
                bestCount = count;
            }
        }
        return best;
    }

    /** Splits one CSV line: double quotes group, {@code ""} inside quotes is a quote; names are trimmed. */
    static List<String> split(String line, char delimiter) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == delimiter) {
                fields.add(field.toString().trim());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString().trim());
        return fields;
    }

    static String show(char delimiter) {
        return delimiter == '\t' ? "tab" : String.valueOf(delimiter);
    }
}
