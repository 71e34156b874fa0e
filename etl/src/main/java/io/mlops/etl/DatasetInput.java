package io.mlops.etl;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Resolves {@code --input} into the CSV file(s) Spark reads: a {@code .zip} is streamed once into a
 * staging folder (member chosen by {@link ZipStager}); a {@code .csv}, a {@code .csv.gz} or a folder/prefix
 * of such files is read where it is. Also computes the source's sha256 for the manifest (for a plain
 * file, in the background while Spark works).
 */
final class DatasetInput {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetInput.class);

    enum Kind { ZIP, CSV, CSV_GZ, PREFIX }

    final String uri;
    final Kind kind;
    /** Files Spark reads, sorted by name. */
    final List<Path> files;
    /** Bytes of the (uncompressed for zip, as stored otherwise) CSV data. */
    final long bytes;
    /** Zip member read, else null. */
    final String member;
    /** Names of the source files read: the zip member, the file, or the files under the prefix. */
    final List<String> sourceNames;
    private final Future<String> sha256;

    private DatasetInput(String uri, Kind kind, List<Path> files, long bytes, String member, Future<String> sha256) {
        this.uri = uri;
        this.kind = kind;
        this.files = files;
        this.bytes = bytes;
        this.member = member;
        this.sha256 = sha256;
        this.sourceNames = member != null ? List.of(member) : files.stream().map(Path::getName).toList();
    }

    /** Turns a local path without scheme into an absolute {@code file:} URI; URIs stay as they are. */
    static Path toPath(String location) {
        URI parsed;
        try {
            parsed = new URI(location);
        } catch (java.net.URISyntaxException e) {
            parsed = null;
        }
        if (parsed != null && parsed.getScheme() != null && parsed.getScheme().length() > 1) {
            return new Path(location);
        }
        return new Path(new File(location).getAbsoluteFile().toURI());
    }

    static DatasetInput resolve(String location, Path stagingDir, String zipMember, Configuration conf) {
        Path path = toPath(location);
        FileSystem fs;
        FileStatus status;
        try {
            fs = path.getFileSystem(conf);
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new EtlException("input " + location + " does not exist; check --input", e);
        } catch (IOException e) {
            throw new EtlException("cannot read input " + location + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); check --input and the job's read access", e);
        }
        if (status.isDirectory()) {
            return prefix(location, fs, path);
        }
        String lower = path.getName().toLowerCase(Locale.ROOT);
        if (status.getLen() == 0) {
            throw new EtlException("input " + location + " is empty (0 bytes); upload the dataset again");
        }
        byte[] magic = head(fs, path, 4);
        boolean zipMagic = magic.length >= 4 && magic[0] == 'P' && magic[1] == 'K'
                && ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
        boolean gzipMagic = magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        if (lower.endsWith(".zip")) {
            if (!zipMagic) {
                throw new EtlException("input " + location + " is not a valid zip archive (it does not start with a zip signature): "
                        + "it is corrupt or not a zip; re-create the zip or upload the .csv itself");
            }
            return zip(location, fs, path, zipMember, stagingDir);
        }
        if (!hasDataExtension(lower)) {
            // No .csv/.gz/.zip name, e.g. the object a CodePipeline S3 source action stores as an artifact:
            // the first bytes tell what it is.
            if (zipMagic) {
                LOG.info("input {} has no .zip extension but starts with a zip signature: reading it as a zip", location);
                return zip(location, fs, path, zipMember, stagingDir);
            }
            if (gzipMagic) {
                LOG.info("input {} has no .gz extension but starts with a gzip signature: reading it as gzip-compressed CSV", location);
                GzipStager.Staged staged = GzipStager.stage(fs, path, stagingDir);
                return new DatasetInput(location, Kind.CSV_GZ, List.of(staged.file()), staged.bytes(), null,
                        CompletableFuture.completedFuture(staged.sha256()));
            }
            LOG.info("input {} has no .csv extension and no zip or gzip signature: reading it as plain CSV", location);
        } else if (zipMagic) {
            throw new EtlException("input " + location + " is a zip archive but is named like a CSV file; rename it to .zip");
        } else if (lower.endsWith(".gz") != gzipMagic) {
            throw new EtlException("input " + location + (gzipMagic ? " is gzip-compressed but its name does not end in .gz; rename it to .csv.gz"
                    : " ends in .gz but is not gzip-compressed; rename it to .csv or re-compress it"));
        }
        Kind kind = gzipMagic ? Kind.CSV_GZ : Kind.CSV;
        Future<String> sha = background(() -> Hashing.sha256(fs, path));
        return new DatasetInput(location, kind, List.of(path), status.getLen(), null, sha);
    }

    /** Names that say what the file is: then its content must agree. Any other name is sniffed. */
    static boolean hasDataExtension(String lowerName) {
        return lowerName.endsWith(".csv") || lowerName.endsWith(".gz") || lowerName.endsWith(".txt") || lowerName.endsWith(".tsv");
    }

    private static DatasetInput zip(String location, FileSystem fs, Path path, String zipMember, Path stagingDir) {
        ZipStager.Staged staged = ZipStager.stage(fs, path, zipMember, stagingDir);
        if (staged.bytes() == 0) {
            throw new EtlException("zip member " + staged.member() + " of " + location + " is empty (0 bytes); fix the zip");
        }
        return new DatasetInput(location, Kind.ZIP, List.of(staged.file()), staged.bytes(), staged.member(),
                CompletableFuture.completedFuture(staged.sha256()));
    }

    private static DatasetInput prefix(String location, FileSystem fs, Path dir) {
        FileStatus[] listed;
        try {
            listed = fs.listStatus(dir);
        } catch (IOException e) {
            throw new EtlException("cannot list input prefix " + location + ": " + e.getMessage(), e);
        }
        List<FileStatus> csvs = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (FileStatus f : listed) {
            String name = f.getPath().getName();
            String lower = name.toLowerCase(Locale.ROOT);
            if (f.isFile() && !name.startsWith("_") && !name.startsWith(".")
                    && (lower.endsWith(".csv") || lower.endsWith(".csv.gz"))) {
                csvs.add(f);
            } else {
                others.add(name);
            }
        }
        if (csvs.isEmpty()) {
            throw new EtlException("input prefix " + location + " holds no .csv or .csv.gz file; found " + others
                    + "; point --input at a CSV file, a zip, or a folder of CSV files");
        }
        if (!others.isEmpty()) {
            LOG.warn("input prefix {}: ignoring entries that are not .csv/.csv.gz files: {}", location, others);
        }
        csvs.sort(Comparator.comparing(f -> f.getPath().getName()));
        List<Path> files = csvs.stream().map(FileStatus::getPath).toList();
        long bytes = csvs.stream().mapToLong(FileStatus::getLen).sum();
        for (FileStatus f : csvs) {
            if (f.getLen() == 0) {
                throw new EtlException("input file " + f.getPath() + " under " + location + " is empty (0 bytes); remove or fix it");
            }
        }
        // Prefix digest: sha256 over the lines "<file name> <sha256 of the file>\n", files sorted by name.
        Future<String> sha = background(() -> {
            StringBuilder lines = new StringBuilder();
            for (Path p : files) {
                lines.append(p.getName()).append(' ').append(Hashing.sha256(fs, p)).append('\n');
            }
            return Hashing.sha256(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        return new DatasetInput(location, Kind.PREFIX, files, bytes, null, sha);
    }

    private static byte[] head(FileSystem fs, Path path, int n) {
        try (InputStream in = fs.open(path)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new EtlException("cannot read input " + path + ": " + e.getMessage(), e);
        }
    }

    private interface IoSupplier {
        String get() throws IOException;
    }

    private static Future<String> background(IoSupplier task) {
        CompletableFuture<String> future = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                future.complete(task.get());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "etl-input-sha256");
        t.setDaemon(true);
        t.start();
        return future;
    }

    String sha256() {
        try {
            return sha256.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while hashing " + uri, e);
        } catch (ExecutionException e) {
            throw new EtlException("cannot compute the sha256 of input " + uri + ": " + e.getCause(), e.getCause());
        }
    }

    String format() {
        return kind == Kind.CSV_GZ ? "csv.gz" : kind.name().toLowerCase(Locale.ROOT);
    }
}
