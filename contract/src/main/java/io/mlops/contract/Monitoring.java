package io.mlops.contract;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * What the drift monitor's parts share: the layout of its SageMaker Processing job (the image's
 * {@code monitor} entry point), where SageMaker writes data capture and where the reports go, the
 * CloudWatch namespace, metric and dimension names the job publishes and the alarms watch.
 * See docs/decisions/0105-drift-monitor.md.
 */
public final class Monitoring {
    /** The image's entry point. */
    public static final String ENTRY_POINT = "monitor";
    /**
     * Processing job input: the capture files of the window, laid out as SageMaker writes them
     * ({@code <endpoint>/<variant>/yyyy/mm/dd/hh/}); the monitor reads the endpoint name from that path.
     */
    public static final String CAPTURE_INPUT_PATH = "/opt/ml/processing/input/capture";
    /** Processing job input: the serving model's artifact (model.tar.gz), which holds profile.json. */
    public static final String MODEL_INPUT_PATH = "/opt/ml/processing/input/model";
    /** Processing job output: report.json, report.html, metrics.json. */
    public static final String OUTPUT_PATH = "/opt/ml/processing/monitoring";

    /** Default CloudWatch namespace of the drift metrics. */
    public static final String DEFAULT_NAMESPACE = "MlopsModelMonitor";
    /** Dimension of every metric: the endpoint. */
    public static final String DIMENSION_ENDPOINT = "endpoint";
    /** Dimension of the per-feature metrics. */
    public static final String DIMENSION_FEATURE = "feature";
    /** 1 when the window's report raised the drift alarm, else 0 (dimension: endpoint). */
    public static final String METRIC_DRIFT_ALARM = "Alarm";
    /** Share of features whose PSI is above the drift threshold, 0..1 (dimension: endpoint). */
    public static final String METRIC_DRIFTED_FEATURE_SHARE = "DriftedFeatureShare";
    /** Share of captured rows that broke the schema, 0..1 (dimension: endpoint). */
    public static final String METRIC_SCHEMA_VIOLATION_RATE = "SchemaViolationRate";
    /** PSI of the score distribution against validation (dimension: endpoint). */
    public static final String METRIC_SCORE_PSI = "ScorePSI";
    /** Rows (records) in the window (dimension: endpoint). */
    public static final String METRIC_ROWS = "RowCount";
    /** PSI of one feature (dimensions: endpoint, feature). */
    public static final String METRIC_FEATURE_PSI = "FeaturePSI";

    /** Environment of the Processing job: the namespace to publish to (unset: no CloudWatch call). */
    public static final String ENV_NAMESPACE = "MONITOR_CLOUDWATCH_NAMESPACE";
    /** Environment of the Processing job: a JSON object of settings (thresholds; model-container README, "monitor"). */
    public static final String ENV_SETTINGS = "MONITOR_SETTINGS";

    private static final DateTimeFormatter HOUR_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);

    private Monitoring() {
    }

    /**
     * The key prefix SageMaker writes one variant's capture of one hour under:
     * {@code <capturePrefix><endpoint>/<variant>/yyyy/mm/dd/hh/} (SageMaker Developer Guide, "Capture data").
     */
    public static String captureHourPrefix(String capturePrefix, String endpoint, String variant, Instant hourStart) {
        return slash(capturePrefix) + endpoint + "/" + variant + "/" + HOUR_PATH.format(hourStart) + "/";
    }

    /** The hour path {@code yyyy/MM/dd/HH} of a window start (UTC). */
    public static String hourPath(Instant hourStart) {
        return HOUR_PATH.format(hourStart);
    }

    /** The key prefix of one window's reports: {@code <outputPrefix><endpoint>/yyyy/mm/dd/hh/}. */
    public static String outputHourPrefix(String outputPrefix, String endpoint, Instant hourStart) {
        return slash(outputPrefix) + endpoint + "/" + HOUR_PATH.format(hourStart) + "/";
    }

    private static String slash(String prefix) {
        return prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }
}
