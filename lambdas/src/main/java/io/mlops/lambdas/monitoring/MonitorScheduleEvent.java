package io.mlops.lambdas.monitoring;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The input the schedule sends: {@code {"scheduledTime": "<aws.scheduler.scheduled-time>"}}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MonitorScheduleEvent(String scheduledTime) {
}
