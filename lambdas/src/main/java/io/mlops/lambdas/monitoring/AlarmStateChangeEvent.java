package io.mlops.lambdas.monitoring;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The EventBridge event CloudWatch sends when an alarm changes state ("CloudWatch Alarm State Change",
 * source {@code aws.cloudwatch}; Amazon CloudWatch User Guide, "Alarm events and EventBridge"). Only the
 * fields the retrain decision reads; unknown fields are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlarmStateChangeEvent(
        @JsonProperty("detail-type") String detailType,
        @JsonProperty("source") String source,
        @JsonProperty("time") String time,
        @JsonProperty("detail") Detail detail) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(@JsonProperty("alarmName") String alarmName, @JsonProperty("state") State state) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record State(@JsonProperty("value") String value, @JsonProperty("reason") String reason) {
    }

    String alarmName() {
        return detail == null ? null : detail.alarmName();
    }

    String stateValue() {
        return detail == null || detail.state() == null ? null : detail.state().value();
    }
}
