package io.mlops.etl;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
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
        return read(fs, file, conf, fixedDelimiter, StandardCharsets.UTF_8);
    }

    /** Reads and parses the first line of {@code file} decoded with {@code charset}; fails when it does not decode. */
    static CsvHeader read(FileSystem fs, Path file, Configuration conf, char fixedDelimiter, Charset charset) {
        String line = firstLine(fs, file, conf, charset);
        if (line.isBlank()) {
            throw new EtlException("the first line of " + file + " is empty; the file must start with a header row naming the columns");
        }
        char delimiter = fixedDelimiter != 0 ? fixedDelimiter : detect(line);
        return new CsvHeader(delimiter, split(line, delimiter), line);
    }

    static String firstLine(FileSystem fs, Path file, Configuration conf) {
        return firstLine(fs, file, conf, StandardCharsets.UTF_8);
    }

    static String firstLine(FileSystem fs, Path file, Configuration conf, Charset charset) {
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
        String line;
        try {
            line = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            String other = charset.equals(StandardCharsets.UTF_8) ? "windows-1252" : "UTF-8";
            throw new EtlException("the header of " + file + " is not valid " + charset.name() + " text ("
                    + e.getClass().getSimpleName() + ", bytes " + hexPreview(bytes.toByteArray()) + "); set \"encoding\""
                    + " in the settings (or --encoding) to the file's encoding, e.g. \"" + other + "\" (accepted: "
                    + String.join(", ", EtlSettings.ENCODINGS) + " and other ASCII-compatible charsets), or save the file as UTF-8", e);
        }
        if (line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        return line;
    }

    /** The first non-ASCII bytes of a line and their offset, for a message. */
    static String hexPreview(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] < 0) {
                StringBuilder hex = new StringBuilder();
                for (int j = i; j < Math.min(bytes.length, i + 4); j++) {
                    hex.append(String.format("%02X ", bytes[j] & 0xFF));
                }
                return hex.toString().trim() + " at byte " + i;
            }
        }
        return "all ASCII";
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
