package io.mlops.etl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The JSON encoding of {@link EtlManifest}: the only place that knows the field names and their order in
 * {@code manifest.json}. Absent values ({@code executionId}, {@code source.member}) are written as null.
 */
final class ManifestJson {
    private ManifestJson() { }

    static ObjectNode encode(EtlManifest manifest) {
        ObjectNode m = EtlSettings.MAPPER.createObjectNode();
        m.put("manifestVersion", manifest.manifestVersion());
        putOrNull(m, "executionId", manifest.executionId());
        EtlManifest.Source src = manifest.source();
        ObjectNode source = m.putObject("source");
        source.put("uri", src.uri());
        putOrNull(source, "member", src.member());
        source.put("sha256", src.sha256());
        source.put("format", src.format());
        source.put("bytes", src.bytes());
        source.put("delimiter", src.delimiter());
        strings(source.putArray("files"), src.files());
        EtlManifest.Settings set = manifest.settings();
        ObjectNode settings = m.putObject("settings");
        settings.put("name", set.name());
        settings.put("uri", set.uri());
        settings.put("sha256", set.sha256());
        settings.put("seed", set.seed());
        ObjectNode fractions = settings.putObject("split");
        set.split().forEach(fractions::put);
        settings.put("maxRejectFraction", set.maxRejectFraction());
        settings.put("partitions", set.partitions());

        m.put("rowsRead", manifest.rowsRead());
        m.put("rowsWritten", manifest.rowsWritten());
        m.put("duplicates", manifest.duplicates());
        EtlManifest.Rejected rej = manifest.rejected();
        ObjectNode rejected = m.putObject("rejected");
        rejected.put("total", rej.total());
        rejected.put("fraction", rej.fraction());
        ObjectNode byReason = rejected.putObject("byReason");
        rej.byReason().forEach(byReason::put);
        strings(rejected.putArray("files"), rej.files());

        ObjectNode splits = m.putObject("splits");
        manifest.splits().forEach((name, split) -> {
            ObjectNode node = splits.putObject(name);
            node.put("rows", split.rows());
            node.put("positives", split.positives());
            node.put("positiveRate", split.positiveRate());
            strings(node.putArray("files"), split.files());
        });
        ObjectNode baseline = splits.putObject(EtlJob.BASELINE);
        baseline.put("rows", manifest.baseline().rows());
        strings(baseline.putArray("files"), manifest.baseline().files());
        ObjectNode valid = m.putObject("valid");
        valid.put("rows", manifest.valid().rows());
        valid.put("positives", manifest.valid().positives());
        valid.put("positiveRate", manifest.valid().positiveRate());

        EtlManifest.Label lab = manifest.label();
        ObjectNode label = m.putObject("label");
        label.put("column", lab.column());
        label.put("positive", lab.positive());
        strings(label.putArray("negative"), lab.negative());
        label.put("outputColumn", lab.outputColumn());
        ArrayNode columns = m.putArray("columns");
        for (EtlSettings.Column c : manifest.columns()) {
            columns.addObject().put("name", c.name()).put("type", c.type());
        }
        strings(m.putArray("droppedColumns"), manifest.droppedColumns());
        return m;
    }

    /** Writes {@code manifest.json}: the encoding pretty-printed, then a newline (replacing any old file). */
    static void write(FileSystem fs, Path path, ObjectNode encoded) {
        try (OutputStream os = fs.create(path, true)) {
            os.write(EtlSettings.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(encoded));
            os.write('\n');
        } catch (IOException e) {
            throw new EtlException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private static void putOrNull(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
