package io.mlops.systemtests.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.systemtests.testing.AwsFake;
import io.mlops.systemtests.testing.SyntheticSplit;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployable bundle on its own: a separate JVM with only system-tests-*-lambda.jar on the class
 * path runs the handler exactly as Lambda does (no-arg constructor, clients from the environment,
 * stream entry point) against WireMock, proving that nothing the handler needs was left out.
 */
class LambdaBundleIT {
    @RegisterExtension
    static final AwsFake aws = new AwsFake();
    private static final Path BUNDLE = Path.of(System.getProperty("lambda.bundle",
            "target/system-tests-0.1.0-SNAPSHOT-lambda.jar"));

    @TempDir
    Path dir;

    @Test
    void holdsTheHandlerAndItsRuntimeButNotTheCommandLineServices() throws IOException {
        assertThat(BUNDLE).isRegularFile();
        assertThat(Files.size(BUNDLE)).as("bundle size").isLessThan(20L * 1024 * 1024);
        try (JarFile jar = new JarFile(BUNDLE.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("io/mlops/systemtests/endpoint/EndpointTestHandler.class",
                    "io/mlops/lambdas/core/JsonStreamHandler.class",
                    "org/HdrHistogram/Histogram.class",
                    "software/amazon/awssdk/services/sagemakerruntime/SageMakerRuntimeClient.class",
                    "software/amazon/awssdk/services/s3/S3Client.class",
                    "software/amazon/awssdk/http/urlconnection/UrlConnectionHttpClient.class");
            assertThat(names).noneMatch(n -> n.startsWith("software/amazon/awssdk/services/sagemaker/")
                    || n.startsWith("software/amazon/awssdk/services/glue/")
                    || n.startsWith("software/amazon/awssdk/services/codepipeline/")
                    || n.startsWith("software/amazon/awssdk/services/cloudformation/")
                    || n.startsWith("software/amazon/awssdk/services/ecr/")
                    || n.startsWith("software/amazon/awssdk/services/sfn/")
                    || n.startsWith("software/amazon/awssdk/http/apache/")
                    || n.startsWith("software/amazon/awssdk/http/nio/")
                    || n.startsWith("io/mlops/systemtests/load/")
                    || n.startsWith("io/mlops/systemtests/validate/")
                    || n.startsWith("io/mlops/lambdas/pipeline/"));
        }
    }

    @Test
    void runsAsLambdaDoesInAJvmWithOnlyTheBundle() throws Exception {
        SyntheticSplit split = new SyntheticSplit(120, 9);
        aws.s3Objects("artifacts", Map.of("runs/e-9/etl/test/part-00000.csv", split.csv()));
        aws.endpoint("mlops-dev");
        aws.s3AcceptPuts("artifacts");
        Path smoke = Files.writeString(dir.resolve("Smoke.java"), """
                public class Smoke {
                    public static void main(String[] args) throws Exception {
                        var handler = new io.mlops.systemtests.endpoint.EndpointTestHandler();
                        var out = new java.io.ByteArrayOutputStream();
                        handler.handleRequest(System.in, out, null);
                        System.out.println("RESULT " + out.toString(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", BUNDLE.toAbsolutePath().toString(), smoke.toString())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", AwsFake.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", "secret");
        env.put("AWS_SESSION_TOKEN", "token");
        env.put("AWS_ENDPOINT_URL", aws.url().toString());
        env.put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(("{\"endpointName\": \"mlops-dev\", \"testDataUri\": \"s3://artifacts/runs/e-9/etl/test/\", "
                    + "\"reportUri\": \"s3://artifacts/runs/e-9/system-test/\", \"executionId\": \"e-9\", \"minRocAuc\": 0.6}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        boolean done = process.waitFor(120, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            process.destroyForcibly();
        }
        assertThat(done).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(
                () -> new AssertionError("no RESULT line in:\n" + output)).substring("RESULT ".length());
        JsonNode json = new ObjectMapper().readTree(result);
        assertThat(json.get("verdict").asText()).as(output).isEqualTo("PASS");
        assertThat(json.get("rows").asInt()).isEqualTo(120);
        assertThat(aws.puts("artifacts", "runs/e-9/system-test/report.json")).hasSize(1);
        assertThat(aws.invocations().get(0).getHeader("Authorization")).contains("/us-east-1/sagemaker/aws4_request");
        assertThat(output).contains("\"message\":\"endpoint test finished\"");
    }
}
