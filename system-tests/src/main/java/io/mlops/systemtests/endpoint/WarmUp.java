package io.mlops.systemtests.endpoint;

import io.mlops.systemtests.scoring.EndpointAccessDeniedException;
import io.mlops.systemtests.scoring.EndpointNotFoundException;
import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * The warm-up before the measured requests: a serverless endpoint (DEV's default) that has been idle starts a
 * container on the first request (a cold start), and answers slowly, with throttling
 * ({@code ThrottlingException}), {@code ModelNotReadyException}, a timeout or a 5xx meanwhile. The warm-up sends
 * the first batch until the model answers (any 2xx or 4xx: the model is up; the measured pass judges the answer),
 * retrying what a cold start causes: {@link EndpointUnavailableException} (not a missing endpoint or denied
 * access, which no retry fixes) and 5xx answers. Bounded by {@code maxAttempts} and {@code budget}, with
 * exponential backoff from {@code firstBackoff} to {@code maxBackoff}. Its requests are not in the latency
 * figures: p99 is measured on a warm endpoint.
 */
public final class WarmUp {
    /** Defaults: 8 attempts within 4 minutes (the endpoint-test Lambda has 10), backoff 2 s doubling to 30 s. */
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(4);
    public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofSeconds(2);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

    /** Waits between attempts (tests pass one that records instead of sleeping). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** How the warm-up went: attempts made, time until the model answered, the first problem seen (or null). */
    public record Result(int attempts, long millis, String firstProblem) {
        /** The report line: a warm endpoint answers at once. */
        public String describe() {
            return attempts == 1
                    ? "the endpoint answered the first warm-up request (" + millis + " ms; not counted in latency)"
                    : String.format(Locale.ROOT, "the endpoint answered after %d warm-up requests in %d ms (cold start;"
                            + " first: %s; not counted in latency)", attempts, millis, firstProblem);
        }
    }

    private final int maxAttempts;
    private final Duration budget;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Sleeper sleeper;

    public WarmUp(int maxAttempts, Duration budget, Duration firstBackoff, Duration maxBackoff, Sleeper sleeper) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("warm-up maxAttempts must be at least 1; received " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.budget = budget;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.sleeper = sleeper;
    }

    public static WarmUp standard() {
        return new WarmUp(DEFAULT_MAX_ATTEMPTS, DEFAULT_BUDGET, DEFAULT_FIRST_BACKOFF, DEFAULT_MAX_BACKOFF,
                d -> Thread.sleep(d.toMillis()));
    }

    /**
     * Sends {@code body} until the model answers.
     *
     * @throws EndpointUnavailableException when it does not within the bounds (the message names the attempts,
     *         the time and the last problem), or at once for a missing endpoint or denied access
     */
    public Result run(ScoringEndpoint endpoint, byte[] body, String contentType, String accept) {
        long start = System.nanoTime();
        Duration backoff = firstBackoff;
        String first = null;
        String last = null;
        int lastStatus = 0;
        String lastKind = "WarmUp";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                ScoringResponse response = endpoint.invoke(body, contentType, accept);
                if (response.status() < 500) {
                    return new Result(attempt, (System.nanoTime() - start) / 1_000_000, first);
                }
                last = "HTTP " + response.status() + " " + response.bodySnippet(200);
                lastStatus = response.status();
            } catch (EndpointNotFoundException | EndpointAccessDeniedException e) {
                throw e;
            } catch (EndpointUnavailableException e) {
                last = e.kind() + ": " + e.getMessage();
                lastStatus = e.status();
                lastKind = e.kind();
            }
            first = first == null ? last : first;
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (attempt == maxAttempts || elapsed.plus(backoff).compareTo(budget) > 0) {
                throw new EndpointUnavailableException(lastKind, lastStatus, String.format(Locale.ROOT,
                        "the endpoint did not answer during the warm-up: %d request(s) in %d s (at most %d within %d s);"
                                + " last: %s. A serverless endpoint's cold start takes seconds to a minute: check the"
                                + " endpoint's CloudWatch logs, its memory (mlops:dev:serverless:memorySizeMb) and concurrency"
                                + " (mlops:dev:serverless:maxConcurrency); the state machine retries this test",
                        attempt, elapsed.toSeconds(), maxAttempts, budget.toSeconds(), last), null);
            }
            try {
                sleeper.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EndpointUnavailableException(lastKind, lastStatus, "the warm-up was interrupted; last: " + last, e);
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
        throw new IllegalStateException("unreachable");
    }
}
