package io.mlops.systemtests.endpoint;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.mlops.systemtests.scoring.EndpointNotFoundException;
import io.mlops.systemtests.scoring.EndpointUnavailableException;
import io.mlops.systemtests.scoring.HttpScoringEndpoint;
import io.mlops.systemtests.scoring.ScoringResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cold-start warm-up over real HTTP (WireMock on 127.0.0.1 as a cold serverless endpoint); no real sleeping. */
class WarmUpTest {
    private static final byte[] BODY = "age,job\n41,admin.\n".getBytes(StandardCharsets.UTF_8);

    private WireMockServer server;
    private HttpScoringEndpoint endpoint;
    private final List<Duration> sleeps = new ArrayList<>();

    @BeforeEach
    void start() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        endpoint = HttpScoringEndpoint.forUrl(URI.create("http://127.0.0.1:" + server.port()));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private WarmUp warmUp(int attempts, Duration budget) {
        return new WarmUp(attempts, budget, Duration.ofSeconds(2), Duration.ofSeconds(5), sleeps::add);
    }

    /** A cold endpoint answers 503 twice, then scores: two retries with backoff, then the model's answer. */
    private void coldFor(int failures) {
        String state = Scenario.STARTED;
        for (int i = 0; i < failures; i++) {
            String next = "cold-" + (i + 1);
            server.stubFor(post(urlEqualTo("/invocations")).inScenario("cold").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(503).withBody("container starting"))
                    .willSetStateTo(next));
            state = next;
        }
        server.stubFor(post(urlEqualTo("/invocations")).inScenario("cold").whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/csv").withBody("0.25\n")));
    }

    @Test
    void retriesAColdEndpointWithBackoffUntilTheModelAnswers() {
        coldFor(3);
        WarmUp.Result result = warmUp(8, Duration.ofMinutes(4)).run(endpoint, BODY, "text/csv", "text/csv");
        assertThat(result.attempts()).isEqualTo(4);
        assertThat(result.firstProblem()).contains("HTTP 503").contains("container starting");
        assertThat(result.describe()).contains("after 4 warm-up requests").contains("not counted in latency");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5));
        server.verify(4, postRequestedFor(urlEqualTo("/invocations")));
    }

    @Test
    void aWarmEndpointOrAClientErrorEndsTheWarmUpAtOnce() {
        server.stubFor(post(urlEqualTo("/invocations")).willReturn(aResponse().withStatus(400).withBody("bad column")));
        WarmUp.Result result = warmUp(8, Duration.ofMinutes(4)).run(endpoint, BODY, "text/csv", "text/csv");
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.describe()).startsWith("the endpoint answered the first warm-up request");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void failsAfterMaxAttemptsNamingTheLastProblemAndTheSettings() {
        coldFor(10);
        assertThatThrownBy(() -> warmUp(3, Duration.ofMinutes(4)).run(endpoint, BODY, "text/csv", "text/csv"))
                .isInstanceOf(EndpointUnavailableException.class)
                .hasMessageContaining("did not answer during the warm-up: 3 request(s)")
                .hasMessageContaining("last: HTTP 503 container starting")
                .hasMessageContaining("mlops:dev:serverless:memorySizeMb");
        server.verify(3, postRequestedFor(urlEqualTo("/invocations")));
    }

    @Test
    void failsWhenTheNextBackoffWouldExceedTheBudget() {
        coldFor(10);
        assertThatThrownBy(() -> warmUp(8, Duration.ofSeconds(3)).run(endpoint, BODY, "text/csv", "text/csv"))
                .hasMessageContaining("at most 8 within 3 s");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void retriesAnUnreachableEndpointButNotAMissingOne() {
        server.stop();
        assertThatThrownBy(() -> warmUp(2, Duration.ofMinutes(4)).run(endpoint, BODY, "text/csv", "text/csv"))
                .isInstanceOf(EndpointUnavailableException.class)
                .hasMessageContaining("2 request(s)").hasMessageContaining("ConnectException");
        sleeps.clear();
        EndpointNotFoundException missing = new EndpointNotFoundException(400, "SageMaker endpoint 'mlops-dev' was not found", null);
        assertThatThrownBy(() -> warmUp(8, Duration.ofMinutes(4)).run(new io.mlops.systemtests.scoring.ScoringEndpoint() {
            @Override
            public ScoringResponse invoke(byte[] body, String contentType, String accept) {
                throw missing;
            }

            @Override
            public String describe() {
                return "missing";
            }

            @Override
            public void close() {
            }
        }, BODY, "text/csv", "text/csv")).isSameAs(missing);
        assertThat(sleeps).isEmpty();
    }
}
