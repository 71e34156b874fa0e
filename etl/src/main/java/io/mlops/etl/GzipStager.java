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
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Decompresses a gzip file whose name does not end in {@code .gz} (Spark picks the codec by the file name)
 * into the staging folder as a plain CSV, in one streaming pass, computing the compressed file's sha256
 * on the way. Uses the Hadoop FileSystem API like {@link ZipStager}.
 */
final class GzipStager {
    private static final Logger LOG = LoggerFactory.getLogger(GzipStager.class);
    private static final int BUFFER = 1 << 20;

    record Staged(Path file, long bytes, String sha256) { }

    private GzipStager() { }

    static Staged stage(FileSystem fs, Path gzip, Path stagingDir) {
        MessageDigest digest = Hashing.sha256();
        Path target = new Path(stagingDir, gzip.getName() + ".csv");
        long bytes = 0;
        try (InputStream raw = new BufferedInputStream(fs.open(gzip), BUFFER);
             DigestInputStream hashed = new DigestInputStream(raw, digest);
             GZIPInputStream in = new GZIPInputStream(hashed, BUFFER);
             FSDataOutputStream out = fs.create(target, true)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                bytes += n;
            }
            while (hashed.read(buf) >= 0) {
                // anything after the gzip trailer still belongs to the file's digest
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new EtlException("gzip file " + gzip + " is corrupt or truncated (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); compress the CSV again or upload it uncompressed", e);
        } catch (IOException e) {
            throw new EtlException("cannot decompress gzip file " + gzip + " to " + target + ": " + e.getMessage(), e);
        }
        if (bytes == 0) {
            throw new EtlException("gzip file " + gzip + " holds no data (0 bytes once decompressed); upload the dataset again");
        }
        LOG.info("decompressed {} ({} bytes of CSV) to {}", gzip, bytes, target);
        return new Staged(target, bytes, Hashing.hex(digest.digest()));
    }
}
