package io.mlops.etl;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Extracts one CSV member of a zip to a staging folder Spark can read, in a single streaming pass over
 * the archive (nothing is buffered whole in memory), computing the archive's sha256 on the way.
 * Uses the Hadoop FileSystem API, so the same code reads and writes {@code s3://} on Glue and
 * {@code file:} locally.
 *
 * <p>Member choice: the settings' {@code zipMember} (full path inside the zip, or a file name that is
 * unique), else the largest {@code .csv} member. macOS metadata ({@code __MACOSX/}, {@code ._*}) and
 * hidden files are never candidates.
 */
final class ZipStager {
    private static final Logger LOG = LoggerFactory.getLogger(ZipStager.class);
    private static final int BUFFER = 1 << 20;

    record Staged(Path file, String member, long bytes, String sha256, List<String> entries) { }

    private ZipStager() { }

    static Staged stage(FileSystem fs, Path zip, String wantedMember, Path stagingDir) {
        String where = zip.toString();
        List<String> entries = new ArrayList<>();
        List<String> csvMembers = new ArrayList<>();
        Path best = null;
        String bestMember = null;
        long bestBytes = -1;
        MessageDigest digest = Hashing.sha256();
        String current = null;
        try (InputStream raw = new BufferedInputStream(fs.open(zip), BUFFER);
             DigestInputStream hashed = new DigestInputStream(raw, digest)) {
            try (ZipInputStream zin = new ZipInputStream(hashed)) {
                byte[] buf = new byte[BUFFER];
                ZipEntry entry;
                int index = 0;
                while ((entry = zin.getNextEntry()) != null) {
                    String name = entry.getName();
                    current = name;
                    entries.add(name);
                    if (entry.isDirectory() || !isCandidate(name, wantedMember)) {
                        continue;
                    }
                    csvMembers.add(name);
                    Path target = new Path(stagingDir, (index++) + "-" + baseName(name));
                    long bytes = 0;
                    try (FSDataOutputStream out = fs.create(target, true)) {
                        int n;
                        while ((n = zin.read(buf)) > 0) {
                            out.write(buf, 0, n);
                            bytes += n;
                        }
                    }
                    LOG.info("extracted zip member {} ({} bytes) to {}", name, bytes, target);
                    if (bytes > bestBytes) {
                        if (best != null) {
                            fs.delete(best, false);
                        }
                        best = target;
                        bestMember = name;
                        bestBytes = bytes;
                    } else {
                        fs.delete(target, false);
                    }
                }
                current = null;
                // ZipInputStream stops at the central directory: hash the rest of the archive too
                // (before closing it, which closes the underlying stream).
                while (hashed.read(buf) >= 0) {
                    // draining into the digest
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new EtlException("zip archive " + where + " is corrupt or truncated (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + (current == null ? "" : ", in member " + current)
                    + "); re-create the zip or upload the CSV itself", e);
        }
        if (entries.isEmpty()) {
            throw new EtlException("zip archive " + where + " has no entries: it is empty, corrupt or not a zip; "
                    + "re-create the zip or upload the CSV itself");
        }
        if (best == null) {
            if (wantedMember != null) {
                List<String> csvs = entries.stream().filter(n -> isCandidate(n, null)).toList();
                throw new EtlException("zip archive " + where + " has no member '" + wantedMember + "'; CSV members: " + csvs
                        + "; all entries: " + entries + "; fix zipMember in the settings or --zip-member");
            }
            throw new EtlException("zip archive " + where + " contains no .csv file; entries: " + entries
                    + "; put the dataset in the zip as a .csv file");
        }
        if (wantedMember != null && csvMembers.size() > 1) {
            throw new EtlException("zip member name '" + wantedMember + "' matches several entries " + csvMembers
                    + " in " + where + "; give the full path inside the zip");
        }
        if (wantedMember == null && csvMembers.size() > 1) {
            LOG.info("zip {} has CSV members {}; using the largest: {}", where, csvMembers, bestMember);
        }
        return new Staged(best, bestMember, bestBytes, Hashing.hex(digest.digest()), List.copyOf(entries));
    }

    /** A member is read when it is the wanted one, or (none wanted) a visible .csv file. */
    static boolean isCandidate(String name, String wanted) {
        if (wanted != null) {
            return name.equals(wanted) || baseName(name).equals(wanted);
        }
        String base = baseName(name);
        return !name.startsWith("__MACOSX/") && !base.startsWith(".")
                && base.toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    static String baseName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
