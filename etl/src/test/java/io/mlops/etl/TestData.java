package io.mlops.etl;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Test inputs built from the bundled bank zip, and helpers to run the job and read its outputs. */
final class TestData {
    static final Path BANK_ZIP = Path.of("data/bank-additional.zip");
    static final String FULL_MEMBER = "bank-additional/bank-additional-full.csv";

    private TestData() { }

    /** Lines of bank-additional-full.csv (header first), read from the zip with java.util.zip. */
    static List<String> bankLines() {
        try (ZipFile zip = new ZipFile(BANK_ZIP.toFile());
             InputStream in = zip.getInputStream(zip.getEntry(FULL_MEMBER))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return List.of(text.split("\r?\n"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + BANK_ZIP, e);
        }
    }

    /** The header and every {@code step}-th data row of the bank dataset (step 50: 824 rows, about 11% yes). */
    static List<String> bankSample(int step) {
        List<String> all = bankLines();
        List<String> sample = new ArrayList<>();
        sample.add(all.get(0));
        for (int i = 1; i < all.size(); i += step) {
            sample.add(all.get(i));
        }
        return sample;
    }

    static Path write(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path zip(Path file, String... namesAndContents) {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry(namesAndContents[i]));
                zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces field {@code index} of a ;-separated bank line. */
    static String withField(String line, int index, String value) {
        String[] f = line.split(";", -1);
        f[index] = value;
        return String.join(";", f);
    }

    static JsonNode run(String... args) {
        return EtlJob.run(TestSpark.get(), JobArgs.parse(args));
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The part files of an output, in name order. */
    static List<Path> parts(Path out, String output) {
        try (var files = Files.list(out.resolve(output))) {
            return files.filter(f -> f.getFileName().toString().matches("part-\\d{5}\\.csv")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Data rows of an output: its part files in order, each without its header row. */
    static List<String> rows(Path out, String output) {
        List<String> rows = new ArrayList<>();
        for (Path part : parts(out, output)) {
            List<String> lines = lines(part);
            if (!lines.get(0).equals(header(out, output))) {
                throw new AssertionError(part + " has header " + lines.get(0) + ", unlike the first part file");
            }
            rows.addAll(lines.subList(1, lines.size()));
        }
        return rows;
    }

    static String header(Path out, String output) {
        return lines(parts(out, output).get(0)).get(0);
    }

    static JsonNode manifest(Path out) {
        try {
            return EtlSettings.MAPPER.readTree(out.resolve(EtlJob.MANIFEST).toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
