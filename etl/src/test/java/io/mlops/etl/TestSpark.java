package io.mlops.etl;

import org.apache.spark.sql.SparkSession;

/**
 * One Spark session (local[2], no UI) shared by every test class of the fork: starting Spark costs
 * seconds, and the job is written to run in a session it did not create (as on Glue).
 */
final class TestSpark {
    private static SparkSession session;

    private TestSpark() { }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .appName("etl-tests")
                    .master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop, "stop-test-spark"));
        }
        return session;
    }
}
