package io.mlops.systemtests.load;

import java.time.Duration;

/**
 * How to load the endpoint.
 *
 * @param mode           {@link Mode#OPEN_LOOP} (fixed arrival rate) or {@link Mode#CLOSED_LOOP}
 *                       (N clients, each sending its next request when the previous one answered)
 * @param rate           requests per second (open loop; 0 for closed loop)
 * @param concurrency    concurrent clients (closed loop); for open loop the most requests in flight
 * @param duration       no request is due (open loop) or starts (closed loop) after this much time
 * @param maxRequests    no more than this many requests are sent
 * @param timeout        per-request timeout (also how long in-flight requests are waited for at the end)
 * @param accept         {@code Accept} of every request
 * @param instances      instances behind the endpoint, for the per-instance autoscaling advice
 * @param progressEvery  how often the progress listener is called
 */
public record LoadTestConfig(Mode mode, double rate, int concurrency, Duration duration, long maxRequests,
        Duration timeout, String accept, int instances, Duration progressEvery) {

    /** Most requests in flight in open-loop mode unless set. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;

    public enum Mode { OPEN_LOOP, CLOSED_LOOP }

    public LoadTestConfig {
        if (mode == null) {
            throw new IllegalArgumentException("choose a load mode: --rate RPS (open loop) or --concurrency N (closed loop)");
        }
        if (mode == Mode.OPEN_LOOP && !(rate > 0 && rate <= 100_000)) {
            throw new IllegalArgumentException("--rate must be between 0 and 100000 requests per second, e.g. --rate 20; "
                    + "received " + rate);
        }
        if (concurrency < 1 || concurrency > 10_000) {
            throw new IllegalArgumentException((mode == Mode.OPEN_LOOP ? "--max-in-flight" : "--concurrency")
                    + " must be between 1 and 10000, e.g. 8; received " + concurrency);
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive, e.g. --duration 30s; received " + duration);
        }
        if (maxRequests < 1) {
            throw new IllegalArgumentException("--max-requests must be at least 1; received " + maxRequests);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--timeout must be positive, e.g. --timeout 30s; received " + timeout);
        }
        if (instances < 1) {
            throw new IllegalArgumentException("--instances must be at least 1; received " + instances);
        }
        accept = accept == null || accept.isBlank() ? "text/csv" : accept;
        progressEvery = progressEvery == null ? Duration.ofSeconds(1) : progressEvery;
    }

    /** Open loop at {@code rate} requests per second, at most {@value #DEFAULT_MAX_IN_FLIGHT} in flight. */
    public static LoadTestConfig openLoop(double rate, Duration duration, long maxRequests) {
        return new LoadTestConfig(Mode.OPEN_LOOP, rate, DEFAULT_MAX_IN_FLIGHT, duration, maxRequests,
                Duration.ofSeconds(30), "text/csv", 1, Duration.ofSeconds(1));
    }

    /** Closed loop with {@code concurrency} clients. */
    public static LoadTestConfig closedLoop(int concurrency, Duration duration, long maxRequests) {
        return new LoadTestConfig(Mode.CLOSED_LOOP, 0, concurrency, duration, maxRequests,
                Duration.ofSeconds(30), "text/csv", 1, Duration.ofSeconds(1));
    }

    public LoadTestConfig withTimeout(Duration value) {
        return new LoadTestConfig(mode, rate, concurrency, duration, maxRequests, value, accept, instances, progressEvery);
    }

    public LoadTestConfig withAccept(String value) {
        return new LoadTestConfig(mode, rate, concurrency, duration, maxRequests, timeout, value, instances, progressEvery);
    }

    public LoadTestConfig withInstances(int value) {
        return new LoadTestConfig(mode, rate, concurrency, duration, maxRequests, timeout, accept, value, progressEvery);
    }

    /** Open loop: the most requests in flight. */
    public LoadTestConfig withMaxInFlight(int value) {
        return new LoadTestConfig(mode, rate, value, duration, maxRequests, timeout, accept, instances, progressEvery);
    }

    public LoadTestConfig withProgressEvery(Duration value) {
        return new LoadTestConfig(mode, rate, concurrency, duration, maxRequests, timeout, accept, instances, value);
    }
}
