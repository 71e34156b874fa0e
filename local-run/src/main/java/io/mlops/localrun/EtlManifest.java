package io.mlops.localrun;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of the ETL's {@code manifest.json} the local run reads (docs/contracts/etl-job.md).
 *
 * @param rowsRead      rows in the input
 * @param duplicates    exact duplicates dropped
 * @param rejected      rows that failed validation
 * @param train         rows and positives of the train split
 * @param validation    of the validation split
 * @param test          of the test split
 * @param sourceUri     the input as the job saw it
 * @param sourceMember  the zip member read, if any
 * @param sourceSha256  sha256 of the input object
 * @param settingsName  the ETL settings' {@code name} (e.g. {@code bank-marketing}), names the registry group
 * @param columns       feature column names
 */
public record EtlManifest(long rowsRead, long duplicates, long rejected, Split train, Split validation, Split test,
        String sourceUri, String sourceMember, String sourceSha256, String settingsName, List<String> columns) {

    /** Rows and positives (label 1) of one split. */
    public record Split(long rows, long positives) {
        public double positiveRate() {
            return rows == 0 ? 0 : (double) positives / rows;
        }
    }

    /**
     * Reads {@code manifest.json}.
     *
     * @throws StageFailedException naming the file and the missing or wrong field
     */
    public static EtlManifest read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new StageFailedException("the ETL job ended without writing " + file
                    + "; docs/contracts/etl-job.md requires it");
        }
        JsonNode root;
        try {
            root = Json.EVENTS.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StageFailedException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        List<String> columns = new ArrayList<>();
        root.path("columns").forEach(c -> columns.add(c.path("name").asText()));
        return new EtlManifest(number(root, file, "/rowsRead"), number(root, file, "/duplicates"),
                number(root, file, "/rejected/total"), split(root, file, "train"), split(root, file, "validation"),
                split(root, file, "test"), root.at("/source/uri").asText(null), root.at("/source/member").asText(null),
                root.at("/source/sha256").asText(null), root.at("/settings/name").asText(null), List.copyOf(columns));
    }

    private static Split split(JsonNode root, Path file, String name) {
        return new Split(number(root, file, "/splits/" + name + "/rows"), number(root, file, "/splits/" + name + "/positives"));
    }

    private static long number(JsonNode root, Path file, String pointer) {
        JsonNode node = root.at(pointer);
        if (!node.canConvertToLong() || !node.isIntegralNumber()) {
            throw new StageFailedException(file + " has no whole number at " + pointer + " (found "
                    + (node.isMissingNode() ? "nothing" : node.toString()) + "); see docs/contracts/etl-job.md");
        }
        return node.asLong();
    }

    /**
     * What the later stages rely on: the row invariant holds and every split has both classes.
     *
     * @throws StageFailedException naming what is wrong
     */
    public void check(Path file) {
        long accounted = train.rows() + validation.rows() + test.rows() + rejected + duplicates;
        if (accounted != rowsRead) {
            throw new StageFailedException(file + " breaks the invariant rowsRead = train + validation + test + rejected + "
                    + "duplicates: " + rowsRead + " != " + train.rows() + " + " + validation.rows() + " + " + test.rows()
                    + " + " + rejected + " + " + duplicates);
        }
        bothClasses("train", train, file);
        bothClasses("validation", validation, file);
        bothClasses("test", test, file);
    }

    private static void bothClasses(String name, Split split, Path file) {
        if (split.positives() <= 0 || split.positives() >= split.rows()) {
            throw new StageFailedException("the " + name + " split has " + split.rows() + " rows of which "
                    + split.positives() + " positive: training and evaluation need both classes; check the dataset's "
                    + "label column and the ETL settings' label.positive (" + file + ")");
        }
    }

    /** One line for the terminal, e.g. {@code 41188 rows read -> train 28823 / validation 6177 / test 6176 ...}. */
    public String summary() {
        return rowsRead + " rows read -> train " + train.rows() + " / validation " + validation.rows() + " / test "
                + test.rows() + " (" + String.format(java.util.Locale.ROOT, "%.1f", 100 * test.positiveRate())
                + "% positive); " + rejected + " rejected, " + duplicates + " duplicates";
    }
}
