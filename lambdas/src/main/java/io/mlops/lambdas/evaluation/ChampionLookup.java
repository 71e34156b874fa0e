package io.mlops.lambdas.evaluation;

import io.mlops.contract.Tags.PackageMetadata;
import io.mlops.lambdas.evaluation.EvaluationReport.InvalidEvaluationException;
import io.mlops.lambdas.evaluation.QualityGate.Champion;
import io.mlops.lambdas.registry.ModelRegistryClient;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The champion the gate compares with (value null: none comparable), and a note for the summary. The
 * champion is the newest Approved package of the group; its metric comes from the {@code metric.<name>}
 * metadata Evaluate writes, else from the JSON its ModelMetrics statistics point at, else there is none.
 */
record ChampionLookup(String arn, String label, Double value, String note) {
    private static final Pattern S3_URI = Pattern.compile("s3://([^/]+)/(.+)");

    static ChampionLookup none(String note) {
        return new ChampionLookup(null, null, null, note);
    }

    Optional<Champion> champion() {
        return value == null ? Optional.empty() : Optional.of(new Champion(label, value));
    }

    /** The newest Approved package of {@code group} and its value of {@code metric}. */
    static ChampionLookup find(ModelRegistryClient registry, S3Client s3, String group, String metric) {
        Optional<ModelRegistryClient.Approved> newest = registry.newestApproved(group);
        if (newest.isEmpty()) {
            return none(null);
        }
        ModelRegistryClient.Approved d = newest.get();
        String label = "v" + d.version();
        String recorded = d.recorded(metric);
        if (recorded != null) {
            try {
                double v = Double.parseDouble(recorded.trim());
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    return new ChampionLookup(d.arn(), label, v, null);
                }
            } catch (NumberFormatException e) {
                // fall through to the statistics file
            }
        }
        String statistics = d.statisticsUri();
        if (statistics == null) {
            return none("approved champion " + label + " records no " + metric + " (no metadata '"
                    + PackageMetadata.METRIC_PREFIX + metric + "', no ModelQuality statistics): compared with "
                    + "the threshold only");
        }
        Matcher uri = S3_URI.matcher(statistics);
        if (!uri.matches()) {
            return none("approved champion " + label + " has unreadable statistics URI '" + statistics
                    + "': compared with the threshold only");
        }
        try {
            byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(uri.group(1)).key(uri.group(2))).asByteArray();
            double v = EvaluationReport.parse(bytes, statistics).require(metric);
            return new ChampionLookup(d.arn(), label, v, null);
        } catch (NoSuchKeyException e) {
            return none("approved champion " + label + "'s statistics " + statistics
                    + " no longer exist: compared with the threshold only");
        } catch (InvalidEvaluationException e) {
            return none("approved champion " + label + " has no usable " + metric + " ("
                    + e.getMessage() + "): compared with the threshold only");
        }
    }
}
