package io.mlops.lambdas.bench;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The deployable bundle, not the test classpath: every handler is loaded from the final (shaded and
 * ProGuard-shrunk) jar in a fresh JVM, constructed with its production no-arg constructor, and run
 * on its happy path against a local stub; the run must end with a success report. Catches classes
 * or methods the shrinker removed that a handler needs.
 */
class LambdaBundleIT {
    private static WireMockServer stub;

    @BeforeAll
    static void start() {
        stub = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        stub.start();
    }

    @AfterAll
    static void stop() {
        stub.stop();
    }

    @TestFactory
    Stream<DynamicTest> everyHandlerRunsFromTheBundle() {
        Path bundle = Path.of(System.getProperty("lambda.bundle", "target/lambdas-0.1.0-SNAPSHOT-lambda.jar"));
        Path testClasses = Path.of(System.getProperty("test.classes", "target/test-classes"));
        assertThat(bundle).exists();
        return ColdStartBenchmark.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            double[] timings = ColdStartBenchmark.measure(c, stub, bundle, testClasses, 1, java.util.List.of());
            assertThat(timings[2]).isPositive();
        }));
    }

    @TestFactory
    Stream<DynamicTest> bundleHoldsNoApacheOrNettyHttpClient() throws java.io.IOException {
        Path bundle = Path.of(System.getProperty("lambda.bundle", "target/lambdas-0.1.0-SNAPSHOT-lambda.jar"));
        try (var zip = new java.util.zip.ZipFile(bundle.toFile())) {
            long apache = zip.stream().filter(e -> e.getName().startsWith("software/amazon/awssdk/http/apache/")).count();
            long netty = zip.stream().filter(e -> e.getName().startsWith("software/amazon/awssdk/http/nio/netty/")).count();
            long urlConnection = zip.stream().filter(e -> e.getName().startsWith("software/amazon/awssdk/http/urlconnection/")).count();
            return Stream.of(
                    DynamicTest.dynamicTest("no apache-client", () -> assertThat(apache).isZero()),
                    DynamicTest.dynamicTest("no netty-nio-client", () -> assertThat(netty).isZero()),
                    DynamicTest.dynamicTest("url-connection-client present", () -> assertThat(urlConnection).isPositive()),
                    DynamicTest.dynamicTest("size recorded", () -> assertThat(Files.size(bundle)).isPositive()));
        }
    }
}
