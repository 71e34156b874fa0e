package io.mlops.contract;

/**
 * Job-run argument names the LaunchEtl handler passes to the Glue job and the ETL job parses
 * (docs/contracts/etl-job.md). {@link #EXTRA_JARS} is Glue's own.
 */
public final class GlueArgs {
    public static final String INPUT = "--input";
    public static final String OUTPUT = "--output";
    public static final String SETTINGS = "--settings";
    public static final String EXECUTION_ID = "--execution-id";
    public static final String SEED = "--seed";
    public static final String MAX_REJECT_FRACTION = "--max-reject-fraction";
    public static final String ZIP_MEMBER = "--zip-member";
    public static final String SPLIT = "--split";
    public static final String DELIMITER = "--delimiter";
    /** Local run only (Glue ignores it). */
    public static final String MASTER = "--master";
    /** Glue's special parameter: the ETL jar on the job's class path. */
    public static final String EXTRA_JARS = "--extra-jars";

    private GlueArgs() {
    }
}
