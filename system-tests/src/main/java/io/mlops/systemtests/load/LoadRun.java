package io.mlops.systemtests.load;

import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.scoring.ScoringEndpoint;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator, for any {@link ScoringEndpoint}.
 *
 * <p><b>Open loop</b> ({@code --rate}): request {@code i} is due at {@code start + i / rate}; a
 * scheduler hands it to a pool of at most {@code concurrency} senders at that moment, whether or not
 * earlier requests have been answered. Its latency is measured from the due time, so time spent
 * waiting for a free sender counts (no coordinated omission). Requests are due only within the
 * duration; one that cannot start until 0.25 s after the duration ended is counted as dropped.
 * <p><b>Closed loop</b> ({@code --concurrency}): {@code N} clients each send their next request as soon
 * as the previous one is answered; latency is the request's own time.
 *
 * <p>Both bounds hold in both modes: no request is due (open loop) or started (closed loop) after
 * {@code duration}, at most {@code maxRequests} are sent, and requests in flight at the end are
 * waited for up to {@code timeout}.
 * Before the run one unrecorded preflight request must succeed, so a wrong URL, missing endpoint or
 * bodies the model rejects fail fast instead of producing a report full of errors.
 */
public final class LoadRun {
    /**
     * Open loop: a request due before the duration ended may still start this long after it (thread
     * scheduling jitter on a busy machine); later it is dropped.
     */
    static final long START_GRACE_NANOS = 250_000_000L;

    private final Clock clock;

    public LoadRun() {
        this(Clock.systemUTC());
    }

    public LoadRun(Clock clock) {
        this.clock = clock;
    }

    /**
     * Runs a bounded load test.
     *
     * @throws EndpointUnavailableException when the preflight request cannot reach the target
     * @throws PreflightFailedException     when the preflight request is answered with a non-2xx status
     */
    public LoadReport run(ScoringEndpoint endpoint, RequestBodies bodies, LoadTestConfig config, Progress progress) {
        preflight(endpoint, bodies, config);
        String startedAt = clock.instant().toString();
        long start = System.nanoTime();
        long deadline = start + config.duration().toNanos();
        LoadRecorder recorder = new LoadRecorder(start);
        double durationSeconds = config.duration().toMillis() / 1000.0;

        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemons("load-progress"));
        long every = config.progressEvery().toMillis();
        ticker.scheduleAtFixedRate(() -> progress.update(recorder.snapshot(System.nanoTime(), durationSeconds)),
                every, every, TimeUnit.MILLISECONDS);
        long unfinished;
        try {
            unfinished = config.mode() == LoadTestConfig.Mode.OPEN_LOOP
                    ? openLoop(endpoint, bodies, config, recorder, deadline)
                    : closedLoop(endpoint, bodies, config, recorder, deadline);
        } finally {
            ticker.shutdownNow();
        }
        progress.finish(recorder.snapshot(System.nanoTime(), durationSeconds));
        return report(endpoint, bodies, config, recorder, startedAt, unfinished);
    }

    private static void preflight(ScoringEndpoint endpoint, RequestBodies bodies, LoadTestConfig config) {
        ScoringResponse response = endpoint.invoke(bodies.body(0), bodies.contentType(), config.accept());
        if (!response.isSuccess()) {
            throw new PreflightFailedException("the preflight request to " + endpoint.describe() + " was answered with HTTP "
                    + response.status() + " (" + response.bodySnippet(300) + "); every request would fail like this: "
                    + "check --data (feature columns the model expects), --content-type and --accept");
        }
    }

    /** @return requests still unfinished when the run stopped waiting */
    private static long openLoop(ScoringEndpoint endpoint, RequestBodies bodies, LoadTestConfig config,
            LoadRecorder recorder, long deadline) {
        ThreadPoolExecutor senders = new ThreadPoolExecutor(config.concurrency(), config.concurrency(), 1,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemons("load-sender"));
        long scheduled = 0;
        double periodNanos = 1e9 / config.rate();
        try {
            for (long i = 0; i < config.maxRequests(); i++) {
                long due = recorder.start() + (long) (i * periodNanos);
                if (due >= deadline) {
                    break;
                }
                sleepUntil(due);
                long index = i;
                scheduled++;
                senders.execute(() -> {
                    long begin = System.nanoTime();
                    if (begin >= deadline + START_GRACE_NANOS) {
                        recorder.droppedRequest();
                    } else {
                        send(endpoint, bodies, config, recorder, index, due, begin);
                    }
                });
            }
        } finally {
            senders.shutdown();
        }
        awaitQuietly(senders, deadline + config.timeout().toNanos() + 1_000_000_000L);
        senders.shutdownNow();
        return Math.max(0, scheduled - recorder.ok.get() - recorder.errors.get() - recorder.dropped.get());
    }

    private static long closedLoop(ScoringEndpoint endpoint, RequestBodies bodies, LoadTestConfig config,
            LoadRecorder recorder, long deadline) {
        AtomicLong issued = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        ThreadFactory factory = daemons("load-client");
        for (int c = 0; c < config.concurrency(); c++) {
            Thread client = factory.newThread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long begin = System.nanoTime();
                    if (begin >= deadline) {
                        return;
                    }
                    long index = issued.getAndIncrement();
                    if (index >= config.maxRequests()) {
                        return;
                    }
                    send(endpoint, bodies, config, recorder, index, begin, begin);
                }
            });
            clients.add(client);
            client.start();
        }
        long giveUp = deadline + config.timeout().toNanos() + 1_000_000_000L;
        for (Thread client : clients) {
            long left = giveUp - System.nanoTime();
            try {
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(client, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        clients.forEach(Thread::interrupt);
        return Math.max(0, recorder.sent.get() - recorder.ok.get() - recorder.errors.get());
    }

    private static void send(ScoringEndpoint endpoint, RequestBodies bodies, LoadTestConfig config,
            LoadRecorder recorder, long index, long due, long begin) {
        recorder.started();
        try {
            ScoringResponse response = endpoint.invoke(bodies.body(index), bodies.contentType(), config.accept());
            long end = System.nanoTime();
            if (response.isSuccess()) {
                recorder.success(due, begin, end);
            } else {
                recorder.failure(String.valueOf(response.status()), response.bodySnippet(200), end);
            }
        } catch (EndpointUnavailableException e) {
            recorder.failure(e.status() > 0 ? e.kind() + " (HTTP " + e.status() + ")" : e.kind(), e.getMessage(),
                    System.nanoTime());
        } catch (RuntimeException e) {
            recorder.failure(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), System.nanoTime());
        }
    }

    private LoadReport report(ScoringEndpoint endpoint, RequestBodies bodies, LoadTestConfig config,
            LoadRecorder recorder, String startedAt, long unfinished) {
        double elapsed = Math.max(recorder.activeSeconds(), 1e-3);
        long ok = recorder.ok.get();
        long errors = recorder.errors.get();
        List<LoadReport.SecondStats> seconds = recorder.perSecond();
        int fullSeconds = (int) Math.floor(recorder.activeSeconds());
        int window = Math.min(5, fullSeconds);
        double okPerSecond = ok / elapsed;
        double sustained = window == 0 ? okPerSecond : bestWindow(seconds, fullSeconds, window);

        List<String> warnings = new ArrayList<>();
        long completed = ok + errors;
        if (completed > 0 && errors > completed / 100) {
            warnings.add(String.format(Locale.ROOT, "%.1f%% of requests failed (%s); the throughput is what the endpoint "
                    + "served with those errors", 100.0 * errors / completed, recorder.errorsByKind()));
        }
        if (recorder.dropped.get() > 0) {
            warnings.add(recorder.dropped.get() + " scheduled requests could not start by the end of the duration (all "
                    + config.concurrency() + " senders were busy): the target could not keep up with "
                    + config.rate() + " req/s");
        }
        if (config.mode() == LoadTestConfig.Mode.OPEN_LOOP && sustained >= 0.95 * config.rate()) {
            warnings.add("the endpoint kept up with the offered rate of " + config.rate() + " req/s, so its maximum may be "
                    + "higher: raise --rate or use --concurrency to measure the maximum throughput");
        }
        if (window < 5) {
            warnings.add("the run had fewer than 5 full seconds, so the sustained throughput is "
                    + (window == 0 ? "the whole-run average" : "over " + window + " s") + "; run longer for a stable figure");
        }
        if (unfinished > 0) {
            warnings.add(unfinished + " requests were still unanswered " + config.timeout().toSeconds()
                    + " s after the duration ended and were abandoned");
        }
        return new LoadReport(endpoint.describe(), config.mode().name(),
                config.mode() == LoadTestConfig.Mode.OPEN_LOOP ? config.rate() : null, config.concurrency(),
                config.duration().toMillis() / 1000.0, config.maxRequests(), bodies.rowsPerRequest(),
                bodies.contentType(), bodies.source(), startedAt, round(elapsed),
                new LoadReport.Counts(recorder.sent.get(), completed, ok, errors, recorder.dropped.get(), unfinished),
                recorder.errorsByKind(), recorder.errorSamples(),
                new LoadReport.Throughput(round(completed / elapsed), round(okPerSecond), round(sustained), window),
                recorder.latency.summary(), recorder.serviceTime.summary(), recorder.latency.distribution(), seconds,
                Autoscaling.of(sustained, config.instances()), warnings);
    }

    /** Best mean of 2xx answers per second over {@code window} consecutive seconds among the first {@code full}. */
    static double bestWindow(List<LoadReport.SecondStats> seconds, int full, int window) {
        double best = 0;
        long sum = 0;
        int limit = Math.min(full, seconds.size());
        for (int s = 0; s < limit; s++) {
            sum += seconds.get(s).ok();
            if (s >= window) {
                sum -= seconds.get(s - window).ok();
            }
            if (s >= window - 1) {
                best = Math.max(best, (double) sum / window);
            }
        }
        return best;
    }

    private static void sleepUntil(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private static void awaitQuietly(ThreadPoolExecutor pool, long until) {
        long left = until - System.nanoTime();
        try {
            if (left > 0) {
                pool.awaitTermination(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** The unrecorded first request was answered with a non-2xx status; the message has the answer. */
    public static final class PreflightFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public PreflightFailedException(String message) {
            super(message);
        }
    }
}
