package io.mlops.lambdas.monitoring;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * One monitoring window: a full UTC hour {@code [start, start + 1 h)}. The schedule names the time it fired
 * ({@code <aws.scheduler.scheduled-time>}, e.g. {@code 2022-03-22T18:59:43Z}); the window is the last full
 * hour before it, so a schedule at 15:10 monitors 14:00-15:00, and a retried invocation monitors the same hour.
 */
public record MonitorWindow(Instant start) {
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);

    public MonitorWindow {
        if (!start.truncatedTo(ChronoUnit.HOURS).equals(start)) {
            throw new IllegalArgumentException("a monitoring window starts on a full hour, got " + start);
        }
    }

    /** The last full hour before {@code scheduledTime} (ISO-8601, as EventBridge Scheduler writes it). */
    public static MonitorWindow before(String scheduledTime) {
        if (scheduledTime == null || scheduledTime.isBlank()) {
            throw new IllegalArgumentException("the event has no 'scheduledTime'. The schedule's input must be "
                    + "{\"scheduledTime\": \"<aws.scheduler.scheduled-time>\"} (infra DriftMonitor sets it).");
        }
        Instant at;
        try {
            at = Instant.parse(scheduledTime.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'scheduledTime' is not an ISO-8601 UTC time: '" + scheduledTime
                    + "' (expected e.g. 2026-12-03T15:10:00Z, EventBridge Scheduler's <aws.scheduler.scheduled-time>)", e);
        }
        return new MonitorWindow(at.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1)));
    }

    public Instant end() {
        return start.plus(Duration.ofHours(1));
    }

    /** {@code yyyyMMddHH} of the start: part of the job name, so each window has one job. */
    public String id() {
        return ID.format(start);
    }
}
