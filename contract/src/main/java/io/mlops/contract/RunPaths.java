package io.mlops.contract;

/**
 * The S3 layout of the artifact and data buckets (DESIGN.md "S3 layout"): keys only, no bucket. Every module
 * builds these keys here instead of by hand, so a change of layout is one change.
 *
 * <pre>
 * datasets/&lt;name&gt;.zip                     uploads that trigger the pipeline (data bucket)
 * builds/&lt;commit&gt;/etl/etl.jar             the ETL jar the Build stage uploads
 * runs/&lt;exec&gt;/config/                     run settings and ETL settings the execution used
 * runs/&lt;exec&gt;/etl/{train,validation,test}/ the splits; runs/&lt;exec&gt;/etl/manifest.json
 * runs/&lt;exec&gt;/training/                   training output (model.tar.gz)
 * runs/&lt;exec&gt;/checkpoints/                spot training checkpoints
 * runs/&lt;exec&gt;/evaluation/evaluation.json  the evaluate entry point's report
 * runs/&lt;exec&gt;/system-test/                the DEV endpoint test's report
 * </pre>
 */
public final class RunPaths {
    public static final String DATASETS_PREFIX = "datasets/";
    public static final String BUILDS_PREFIX = "builds/";
    public static final String RUNS_PREFIX = "runs/";
    /** File name of the ETL manifest under {@link #etl(String)}. */
    public static final String MANIFEST = "manifest.json";
    /** File name of the evaluation report under {@link #evaluation(String)}. */
    public static final String EVALUATION_REPORT = "evaluation.json";

    private RunPaths() {
    }

    /** {@code runs/<exec>/}. */
    public static String run(String executionId) {
        return RUNS_PREFIX + executionId + "/";
    }

    /** {@code runs/<exec>/etl/}: the ETL job's {@code --output}. */
    public static String etl(String executionId) {
        return run(executionId) + "etl/";
    }

    /** {@code runs/<exec>/etl/<split>/}, split one of train, validation, test. */
    public static String etlSplit(String executionId, String split) {
        return etl(executionId) + split + "/";
    }

    /** {@code runs/<exec>/etl/manifest.json}. */
    public static String etlManifest(String executionId) {
        return etl(executionId) + MANIFEST;
    }

    /** {@code runs/<exec>/config/}. */
    public static String config(String executionId) {
        return run(executionId) + "config/";
    }

    /** {@code runs/<exec>/training/}. */
    public static String training(String executionId) {
        return run(executionId) + "training/";
    }

    /** {@code runs/<exec>/checkpoints/}: managed spot training checkpoints. */
    public static String checkpoints(String executionId) {
        return run(executionId) + "checkpoints/";
    }

    /** {@code runs/<exec>/evaluation/}. */
    public static String evaluation(String executionId) {
        return run(executionId) + "evaluation/";
    }

    /** {@code runs/<exec>/evaluation/evaluation.json}. */
    public static String evaluationReport(String executionId) {
        return evaluation(executionId) + EVALUATION_REPORT;
    }

    /** {@code runs/<exec>/system-test/}. */
    public static String systemTest(String executionId) {
        return run(executionId) + "system-test/";
    }

    /** {@code s3://<bucket>/<key>}. */
    public static String s3Uri(String bucket, String key) {
        return "s3://" + bucket + "/" + key;
    }
}
