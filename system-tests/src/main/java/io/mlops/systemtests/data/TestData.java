package io.mlops.systemtests.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A test split: the CSV files under an S3 prefix ({@link S3TestData}) or a local file or folder
 * ({@link #local(Path)}), in name order. Files end in {@code .csv} or {@code .csv.gz}; others
 * (Spark's {@code _SUCCESS}, checksums) are ignored.
 */
public interface TestData {
    /** Where the split is, for messages and the report. */
    String describe();

    /**
     * The split's CSV files in name order.
     *
     * @throws IllegalArgumentException when there are none
     */
    List<TestDataFile> files();

    /** True for names this split reads. */
    static boolean isCsv(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String base = lower.substring(lower.lastIndexOf('/') + 1);
        return !base.startsWith("_") && !base.startsWith(".") && (lower.endsWith(".csv") || lower.endsWith(".csv.gz"));
    }

    /** Wraps {@code raw} in a gzip decoder when {@code name} ends in {@code .gz}. */
    static InputStream decoded(String name, InputStream raw) throws IOException {
        return name.toLowerCase(Locale.ROOT).endsWith(".gz") ? new GZIPInputStream(raw, 64 * 1024) : raw;
    }

    /**
     * A local split: one CSV file, or every {@code .csv}/{@code .csv.gz} file directly in a folder
     * (e.g. the ETL's {@code test/} output of a local run).
     */
    static TestData local(Path fileOrFolder) {
        return new TestData() {
            @Override
            public String describe() {
                return fileOrFolder.toAbsolutePath().toString();
            }

            @Override
            public List<TestDataFile> files() {
                List<Path> paths;
                if (Files.isDirectory(fileOrFolder)) {
                    try (Stream<Path> listing = Files.list(fileOrFolder)) {
                        paths = listing.filter(p -> Files.isRegularFile(p) && isCsv(p.getFileName().toString()))
                                .sorted().toList();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot list test data folder " + fileOrFolder, e);
                    }
                } else if (Files.isRegularFile(fileOrFolder)) {
                    paths = List.of(fileOrFolder);
                } else {
                    throw new IllegalArgumentException("test data " + fileOrFolder.toAbsolutePath()
                            + " does not exist; pass a CSV file or a folder of CSV files (label y first)");
                }
                if (paths.isEmpty()) {
                    throw new IllegalArgumentException("no .csv or .csv.gz files in " + fileOrFolder.toAbsolutePath()
                            + "; pass the ETL's test/ folder or a CSV file (label y first)");
                }
                return paths.stream().<TestDataFile>map(p -> new TestDataFile() {
                    @Override
                    public String name() {
                        return p.toString();
                    }

                    @Override
                    public InputStream open() throws IOException {
                        return decoded(p.toString(), Files.newInputStream(p));
                    }
                }).toList();
            }
        };
    }
}
