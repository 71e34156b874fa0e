package io.mlops.systemtests.load;

/** Receives the load test's live state, every {@link LoadTestConfig#progressEvery()} and once at the end. */
public interface Progress {
    /** Reports nothing. */
    Progress NONE = new Progress() {
        @Override
        public void update(Snapshot snapshot) {
        }

        @Override
        public void finish(Snapshot snapshot) {
        }
    };

    void update(Snapshot snapshot);

    void finish(Snapshot snapshot);

    /**
     * The state at one moment.
     *
     * @param elapsedSeconds  since the start
     * @param durationSeconds the duration bound
     * @param sent            requests started
     * @param ok              answered 2xx
     * @param errors          answered otherwise or failed
     * @param inFlight        started, not yet answered
     * @param p50Millis       median latency of successful requests so far
     * @param p99Millis       99th percentile so far
     */
    record Snapshot(double elapsedSeconds, double durationSeconds, long sent, long ok, long errors, int inFlight,
            double p50Millis, double p99Millis) {
    }
}
