package io.mlops.systemtests.load;

import io.mlops.systemtests.metrics.LatencyHistogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe counters and histograms of one load test run; times are {@link System#nanoTime()}. */
final class LoadRecorder {
    private final long start;
    final LatencyHistogram latency = new LatencyHistogram();
    final LatencyHistogram serviceTime = new LatencyHistogram();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong lastEvent;
    private final Map<String, LongAdder> errorsByKind = new ConcurrentHashMap<>();
    private final Map<String, String> firstErrorMessage = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Integer, Second> seconds = new ConcurrentSkipListMap<>();

    LoadRecorder(long start) {
        this.start = start;
        this.lastEvent = new AtomicLong(start);
    }

    long start() {
        return start;
    }

    void started() {
        sent.incrementAndGet();
        inFlight.incrementAndGet();
    }

    /** A 2xx answer: latency from the intended start, service time from the actual start. */
    void success(long intendedStart, long actualStart, long end) {
        inFlight.decrementAndGet();
        ok.incrementAndGet();
        latency.recordNanos(end - intendedStart);
        serviceTime.recordNanos(end - actualStart);
        Second second = second(end);
        second.ok.increment();
        second.latency.recordNanos(end - intendedStart);
        lastEvent.accumulateAndGet(end, Math::max);
    }

    /** Any other outcome, under {@code kind} (an HTTP status or an error name) with a sample message. */
    void failure(String kind, String message, long end) {
        inFlight.decrementAndGet();
        errors.incrementAndGet();
        errorsByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
        firstErrorMessage.putIfAbsent(kind, message == null ? "" : message);
        second(end).errors.increment();
        lastEvent.accumulateAndGet(end, Math::max);
    }

    /** A scheduled request that could not start before the duration ended. */
    void droppedRequest() {
        dropped.incrementAndGet();
    }

    double elapsedSeconds(long now) {
        return (now - start) / 1e9;
    }

    /** Seconds from the start to the last answer. */
    double activeSeconds() {
        return (lastEvent.get() - start) / 1e9;
    }

    Map<String, Long> errorsByKind() {
        Map<String, Long> counts = new TreeMap<>();
        errorsByKind.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }

    Map<String, String> errorSamples() {
        return new TreeMap<>(firstErrorMessage);
    }

    /** Per-second rows, from second 0 to the last second with an answer (empty seconds included). */
    List<LoadReport.SecondStats> perSecond() {
        List<LoadReport.SecondStats> rows = new ArrayList<>();
        if (seconds.isEmpty()) {
            return rows;
        }
        int last = seconds.lastKey();
        for (int s = 0; s <= last; s++) {
            Second second = seconds.get(s);
            if (second == null) {
                rows.add(new LoadReport.SecondStats(s, 0, 0, 0, 0, 0, 0));
            } else {
                LatencyHistogram h = second.latency;
                rows.add(new LoadReport.SecondStats(s, second.ok.sum(), second.errors.sum(),
                        LatencyHistogram.round(h.percentileMillis(50)), LatencyHistogram.round(h.percentileMillis(90)),
                        LatencyHistogram.round(h.percentileMillis(99)), LatencyHistogram.round(h.maxMillis())));
            }
        }
        return rows;
    }

    Progress.Snapshot snapshot(long now, double durationSeconds) {
        return new Progress.Snapshot(elapsedSeconds(now), durationSeconds, sent.get(), ok.get(), errors.get(),
                inFlight.get(), latency.percentileMillis(50), latency.percentileMillis(99));
    }

    private Second second(long end) {
        int index = (int) Math.max(0, (end - start) / 1_000_000_000L);
        return seconds.computeIfAbsent(index, i -> new Second());
    }

    /** Answers completed in one second of the run. */
    private static final class Second {
        final LongAdder ok = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LatencyHistogram latency = new LatencyHistogram(2);
    }
}
