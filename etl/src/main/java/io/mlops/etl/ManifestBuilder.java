package io.mlops.etl;

import io.mlops.etl.EtlWriter.Observed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mlops.etl.EtlJob.BASELINE;
import static io.mlops.etl.EtlJob.REJECTED;
import static io.mlops.etl.EtlJob.SPLITS;

/** Fills in the {@link EtlManifest} of a finished run and checks that its numbers agree with each other and the plan. */
final class ManifestBuilder {
    private ManifestBuilder() { }

    /**
     * @param partitions Spark partitions after the shuffle
     * @param names      input columns in file order
     * @param written    what {@link EtlWriter#writeAll} wrote, by output name
     */
    static EtlManifest build(JobArgs args, DatasetInput input, CsvHeader header, EtlJob.LoadedSettings loaded,
                             int partitions, List<String> names, Counts counts, Map<String, Observed> written) {
        EtlSettings settings = loaded.settings();
        EtlManifest.Source source = new EtlManifest.Source(input.uri, input.member, input.sha256(), input.format(),
                input.bytes, String.valueOf(header.delimiter()), input.sourceNames);
        Map<String, Double> fractions = new LinkedHashMap<>();
        for (int s = 0; s < SPLITS.length; s++) {
            fractions.put(SPLITS[s], settings.split().fractions()[s]);
        }
        EtlManifest.Settings settingsPart = new EtlManifest.Settings(settings.name(), loaded.where(), loaded.sha256(),
                settings.seed(), fractions, settings.maxRejectFraction(), partitions);

        long writtenRows = 0;
        for (String s : SPLITS) {
            writtenRows += written.get(s).rows();
        }
        EtlManifest.Rejected rejected = new EtlManifest.Rejected(written.get(REJECTED).rows(),
                round6((double) counts.rejected / counts.rowsRead), counts.byReason, written.get(REJECTED).files());
        Map<String, EtlManifest.Split> splits = new LinkedHashMap<>();
        for (String s : SPLITS) {
            Observed o = written.get(s);
            splits.put(s, new EtlManifest.Split(o.rows(), o.positives(), round6((double) o.positives() / o.rows()), o.files()));
        }
        EtlManifest.Output baseline = new EtlManifest.Output(written.get(BASELINE).rows(), written.get(BASELINE).files());
        long validRows = counts.classRows[0] + counts.classRows[1];
        EtlManifest.Valid valid = new EtlManifest.Valid(validRows, counts.classRows[1],
                round6((double) counts.classRows[1] / validRows));
        EtlManifest.Label label = new EtlManifest.Label(settings.label().column(), settings.label().positive(),
                settings.label().negative(), EtlSettings.OUTPUT_LABEL);
        return new EtlManifest(EtlManifest.VERSION, args.executionId().orElse(null), source, settingsPart,
                counts.rowsRead, writtenRows, counts.duplicates, rejected, splits, baseline, valid, label,
                settings.columns(), settings.drop().stream().filter(names::contains).toList());
    }

    /** The manifest's numbers must agree with each other and with the plan, or this is a bug. */
    static void checkConsistent(Counts counts, SplitPlan plan, Map<String, Observed> written, long writtenRows) {
        List<String> problems = new ArrayList<>();
        for (int s = 0; s < SPLITS.length; s++) {
            Observed o = written.get(SPLITS[s]);
            if (o.rows() != plan.splitRows(s) || o.positives() != plan.rows[1][s]) {
                problems.add(SPLITS[s] + " wrote " + o.rows() + " rows / " + o.positives() + " positives, planned "
                        + plan.splitRows(s) + " / " + plan.rows[1][s]);
            }
        }
        if (written.get(BASELINE).rows() != written.get("train").rows()) {
            problems.add("baseline rows " + written.get(BASELINE).rows() + " != train rows " + written.get("train").rows());
        }
        if (written.get(REJECTED).rows() != counts.rejected) {
            problems.add("rejected wrote " + written.get(REJECTED).rows() + " rows, counted " + counts.rejected);
        }
        if (counts.rowsRead != writtenRows + written.get(REJECTED).rows() + counts.duplicates) {
            problems.add("rows read " + counts.rowsRead + " != written " + writtenRows + " + rejected "
                    + written.get(REJECTED).rows() + " + duplicates " + counts.duplicates);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("ETL output is inconsistent (a bug, please report): " + problems);
        }
    }

    static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
