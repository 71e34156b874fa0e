package io.mlops.systemtests.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.systemtests.scoring.ScoringResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PredictionsTest {

    @Test
    void readsOneProbabilityPerCsvLine() {
        assertThat(Predictions.parse(answer(200, "text/csv; charset=utf-8", "0.1\r\n0.25\n1.0\n"), "text/csv", 3))
                .containsExactly(0.1, 0.25, 1.0);
    }

    @Test
    void readsThePredictionsArrayOfAJsonAnswer() {
        assertThat(Predictions.parse(answer(200, "application/json", "{\"predictions\":[0, 0.5, 1e-3]}"),
                "application/json", 3)).containsExactly(0.0, 0.5, 0.001);
    }

    @Test
    void failsOnAStatusOtherThan200() {
        assertThatThrownBy(() -> Predictions.parse(answer(500, "text/plain", "boom"), "text/csv", 1))
                .hasMessage("HTTP 500 (expected 200): boom");
    }

    @Test
    void failsOnTheWrongContentType() {
        assertThatThrownBy(() -> Predictions.parse(answer(200, "application/json", "{}"), "text/csv", 1))
                .hasMessageContaining("Content-Type 'application/json' but Accept was text/csv");
    }

    @Test
    void failsOnTooFewOrTooManyPredictions() {
        assertThatThrownBy(() -> Predictions.parse(answer(200, "text/csv", "0.1\n0.2\n"), "text/csv", 3))
                .hasMessage("2 predictions for 3 records (expected one per record)");
        assertThatThrownBy(() -> Predictions.parse(answer(200, "text/csv", ""), "text/csv", 1))
                .hasMessage("0 predictions for 1 records (expected one per record)");
    }

    @Test
    void failsOnValuesOutsideZeroToOneOrNotNumbers() {
        assertThatThrownBy(() -> Predictions.parse(answer(200, "text/csv", "0.1\n1.5\n"), "text/csv", 2))
                .hasMessage("prediction 2 is 1.5, not a probability in [0, 1]");
        assertThatThrownBy(() -> Predictions.parse(answer(200, "text/csv", "NaN\n"), "text/csv", 1))
                .hasMessageContaining("prediction 1 is NaN");
        assertThatThrownBy(() -> Predictions.parse(answer(200, "text/csv", "0.1,0.9\n"), "text/csv", 1))
                .hasMessageContaining("response line 1 is '0.1,0.9', not one number");
        assertThatThrownBy(() -> Predictions.parse(answer(200, "application/json", "{\"predictions\":[\"0.1\"]}"),
                "application/json", 1)).hasMessageContaining("predictions[0] is \"0.1\", not a number");
        assertThatThrownBy(() -> Predictions.parse(answer(200, "application/json", "[0.1]"), "application/json", 1))
                .hasMessageContaining("no \"predictions\" array");
    }

    private static ScoringResponse answer(int status, String type, String body) {
        return new ScoringResponse(status, type, body.getBytes(StandardCharsets.UTF_8));
    }
}
