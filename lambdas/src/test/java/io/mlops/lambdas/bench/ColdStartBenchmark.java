package io.mlops.lambdas.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.mlops.lambdas.testing.Fixtures;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (not a test): the Lambda bundle's size and each handler's cold initialisation in a fresh
 * JVM — construct the handler with its production no-arg constructor, then make its first call
 * against a local stub (WireMock on 127.0.0.1, reached through AWS_ENDPOINT_URL) on its happy path.
 * Each run must end in a successful report to the stub, or the figure is not printed.
 *
 * <p>Usage: {@code lambdas/bin/benchmark [runs]}. Prints medians over the runs, with and without
 * {@code -XX:TieredStopAtLevel=1} (the usual Lambda JVM flag for short-lived functions).
 */
public final class ColdStartBenchmark {
    private static final String EXEC = "0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f";
    private static final Pattern PROBE = Pattern.compile("PROBE init_ms=([0-9.]+) first_call_ms=([0-9.]+) total_ms=([0-9.]+)");

    record Case(String name, String handler, String event, Map<String, String> env,
            Consumer<WireMockServer> stubs, boolean pipelineJob) {
    }

    private ColdStartBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path bundle = Path.of(args[0]);
        Path testClasses = Path.of(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf("bundle %s: %.1f MB (%d bytes)%n", bundle.getFileName(), Files.size(bundle) / 1e6, Files.size(bundle));
        System.out.printf("java %s, %d cores; median of %d fresh JVMs per cell%n%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), runs);
        WireMockServer stub = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        stub.start();
        try {
            System.out.printf("%-16s | %-33s | %-33s%n", "", "default JIT", "-XX:TieredStopAtLevel=1");
            System.out.printf("%-16s | %10s %10s %10s | %10s %10s %10s%n", "handler",
                    "init ms", "1st call", "process", "init ms", "1st call", "process");
            for (Case c : cases()) {
                double[] a = measure(c, stub, bundle, testClasses, runs, List.of());
                double[] b = measure(c, stub, bundle, testClasses, runs, List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"));
                System.out.printf("%-16s | %10.0f %10.0f %10.0f | %10.0f %10.0f %10.0f%n", c.name(), a[0], a[1], a[2], b[0], b[1], b[2]);
            }
        } finally {
            stub.stop();
        }
        System.out.println("\ninit = class loading + construction (SDK clients built); 1st call = handleRequest until the"
                + " result is reported; process = wall time of the whole JVM process (start to exit).");
    }

    /** Medians of init, first call, and process wall time. */
    static double[] measure(Case c, WireMockServer stub, Path bundle, Path testClasses, int runs,
            List<String> jvmFlags) throws IOException, InterruptedException {
        Path event = Files.createTempFile("event", ".json");
        Files.writeString(event, Fixtures.event(c.event()));
        List<double[]> samples = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            stub.resetAll();
            stubCommon(stub);
            c.stubs().accept(stub);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(jvmFlags);
            command.addAll(List.of("-cp", bundle + File.pathSeparator + testClasses, ColdStartProbe.class.getName(),
                    c.handler(), event.toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("JAVA_TOOL"));
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "AKIDBENCH");
            env.put("AWS_SECRET_ACCESS_KEY", "secret");
            env.put("AWS_SESSION_TOKEN", "token");
            env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + stub.port());
            env.putAll(c.env());
            long start = System.nanoTime();
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            double wall = (System.nanoTime() - start) / 1e6;
            Matcher m = PROBE.matcher(out);
            if (code != 0 || !m.find()) {
                throw new IllegalStateException(c.name() + " probe failed (exit " + code + "):\n" + out);
            }
            if (c.pipelineJob()) {
                int ok = stub.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target",
                        equalTo("CodePipeline_20150709.PutJobSuccessResult"))).size();
                if (ok != 1) {
                    throw new IllegalStateException(c.name() + " did not report success (" + ok + " success results); output:\n" + out);
                }
            } else if (!out.contains("PhysicalResourceId")) {
                throw new IllegalStateException(c.name() + " returned no PhysicalResourceId; output:\n" + out);
            }
            samples.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), wall});
        }
        Files.delete(event);
        return new double[] {median(samples, 0), median(samples, 1), median(samples, 2)};
    }

    private static double median(List<double[]> samples, int index) {
        double[] v = samples.stream().mapToDouble(s -> s[index]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static List<Case> cases() {
        String bucket = "mlops-artifacts-123456789012";
        Map<String, String> envAll = new LinkedHashMap<>();
        envAll.put("ARTIFACT_BUCKET", bucket);
        envAll.put("DATA_BUCKET", "mlops-data-123456789012");
        envAll.put("GLUE_JOB_NAME", "mlops-etl");
        envAll.put("SAGEMAKER_ROLE_ARN", "arn:aws:iam::123456789012:role/mlops-sagemaker");
        envAll.put("MODEL_PACKAGE_GROUP", "mlops-bank-marketing");
        envAll.put("INFERENCE_INSTANCE_TYPES", "ml.t2.medium,ml.m5.large");
        String sourceZipSettings = "{}";
        byte[] sourceZip = Fixtures.zip(Map.of("config/run-settings.json", sourceZipSettings,
                "etl/settings/bank.json", "{\"label\":{\"column\":\"y\"}}"));
        String manifest = "{\"executionId\":\"" + EXEC + "\",\"source\":{\"uri\":\"s3://d/datasets/bank.zip\",\"sha256\":\"ab\"},"
                + "\"rowsRead\":100,\"duplicates\":0,\"rejected\":{\"total\":0,\"byReason\":{}},\"splits\":{"
                + "\"train\":{\"rows\":70,\"positives\":8},\"validation\":{\"rows\":15,\"positives\":2},"
                + "\"test\":{\"rows\":15,\"positives\":2},\"baseline\":{\"rows\":70}}}";
        return List.of(
                new Case("ModelGroup", "io.mlops.lambdas.modelgroup.ModelGroupHandler", "model-group-create.json", envAll, s -> {
                    target(s, "SageMaker.CreateModelPackageGroup", 200,
                            "{\"ModelPackageGroupArn\":\"arn:aws:sagemaker:us-east-1:123456789012:model-package-group/mlops-bank-marketing\"}");
                    target(s, "SageMaker.DescribeModelPackageGroup", 200, "{\"ModelPackageGroupName\":\"mlops-bank-marketing\","
                            + "\"ModelPackageGroupArn\":\"arn:aws:sagemaker:us-east-1:123456789012:model-package-group/mlops-bank-marketing\","
                            + "\"ModelPackageGroupStatus\":\"Completed\"}");
                    target(s, "SageMaker.AddTags", 200, "{}");
                    target(s, "SageMaker.ListTags", 200, "{\"Tags\":[]}");
                    target(s, "SageMaker.ListModelPackageGroups", 200, "{\"ModelPackageGroupSummaryList\":[]}");
                }, false),
                new Case("LaunchEtl", "io.mlops.lambdas.etl.LaunchEtlHandler", "launch-etl.json", envAll, s -> {
                    s.stubFor(get(urlMatching("/mlops-data-123456789012.*list-type=2.*")).atPriority(1).willReturn(aResponse()
                            .withStatus(200).withHeader("Content-Type", "application/xml").withBody(
                                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>mlops-data-123456789012</Name>"
                                            + "<Prefix>datasets/</Prefix><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>"
                                            + "<Contents><Key>datasets/bank.zip</Key><LastModified>2026-11-20T10:00:00.000Z</LastModified>"
                                            + "<Size>446231</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>")));
                    s.stubFor(get(anyUrl()).atPriority(5).willReturn(aResponse().withStatus(200).withBody(sourceZip)));
                    s.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("ETag", "\"e\"")));
                    target(s, "AWSGlue.GetJobRuns", 200, "{\"JobRuns\":[]}");
                    target(s, "AWSGlue.StartJobRun", 200, "{\"JobRunId\":\"jr_0123\"}");
                }, true),
                new Case("MonitorEtl", "io.mlops.lambdas.etl.MonitorEtlHandler", "monitor-etl.json", envAll, s -> {
                    target(s, "AWSGlue.GetJobRun", 200, "{\"JobRun\":{\"Id\":\"jr_5d8f0a3c9b7e6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a392817060504\","
                            + "\"JobName\":\"mlops-etl\",\"JobRunState\":\"SUCCEEDED\",\"ExecutionTime\":300,"
                            + "\"Arguments\":{\"--execution-id\":\"" + EXEC + "\"}}}");
                    s.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody(manifest)));
                }, true),
                new Case("LaunchTraining", "io.mlops.lambdas.training.LaunchTrainingHandler", "launch-training.json", envAll, s -> {
                    s.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withBody(sourceZip)));
                    target(s, "SageMaker.CreateTrainingJob", 200,
                            "{\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:123456789012:training-job/x\"}");
                }, true),
                new Case("MonitorTraining", "io.mlops.lambdas.training.MonitorTrainingHandler", "monitor-training.json", envAll, s ->
                        target(s, "SageMaker.DescribeTrainingJob", 200, "{\"TrainingJobName\":\"mlops-train-" + EXEC + "\","
                                + "\"TrainingJobStatus\":\"Completed\",\"SecondaryStatus\":\"Completed\","
                                + "\"ModelArtifacts\":{\"S3ModelArtifacts\":\"s3://b/runs/x/training/j/output/model.tar.gz\"},"
                                + "\"BillableTimeInSeconds\":120,\"FinalMetricDataList\":[{\"MetricName\":\"validation:roc_auc\",\"Value\":0.81}]}"),
                        true),
                new Case("Evaluate", "io.mlops.lambdas.evaluation.EvaluateHandler", "evaluate-job.json", envAll, s -> {
                    s.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(200).withBody(sourceZip)));
                    target(s, "SageMaker.CreateProcessingJob", 200,
                            "{\"ProcessingJobArn\":\"arn:aws:sagemaker:us-east-1:123456789012:processing-job/x\"}");
                }, true),
                new Case("ApproveModel", "io.mlops.lambdas.approval.ApproveModelHandler", "approve-model-job.json", envAll, s -> {
                    target(s, "SageMaker.DescribeModelPackage", 200, "{\"ModelPackageName\":\"mlops-bank-marketing\","
                            + "\"ModelPackageGroupName\":\"mlops-bank-marketing\",\"ModelPackageVersion\":7,"
                            + "\"ModelPackageArn\":\"arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-bank-marketing/7\","
                            + "\"ModelApprovalStatus\":\"PendingManualApproval\",\"ModelPackageStatus\":\"Completed\"}");
                    target(s, "SageMaker.UpdateModelPackage", 200,
                            "{\"ModelPackageArn\":\"arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-bank-marketing/7\"}");
                }, true),
                new Case("VerifyEndpoint", "io.mlops.lambdas.verify.VerifyEndpointHandler", "verify-endpoint-prd.json", envAll, s -> {
                    target(s, "SageMaker.DescribeEndpoint", 200, verifyFixture("describe-endpoint-in-service.json"));
                    target(s, "SageMaker.DescribeEndpointConfig", 200, verifyFixture("describe-endpoint-config.json"));
                    target(s, "SageMaker.DescribeModel", 200, verifyFixture("describe-model-prd.json"));
                    target(s, "SageMaker.ListModelPackages", 200, verifyFixture("list-model-packages-production-v5.json"));
                    target(s, "SageMaker.UpdateModelPackage", 200,
                            "{\"ModelPackageArn\":\"arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-bank-marketing/7\"}");
                }, true));
    }

    /** A VerifyEndpoint response fixture (src/test/resources/fixtures/verify/). */
    private static String verifyFixture(String name) {
        try (java.io.InputStream in = ColdStartBenchmark.class.getResourceAsStream("/fixtures/verify/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void stubCommon(WireMockServer s) {
        target(s, "CodePipeline_20150709.PutJobSuccessResult", 200, "{}");
        target(s, "CodePipeline_20150709.PutJobFailureResult", 200, "{}");
        s.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(599).withBody("no stub for this request")));
    }

    private static void target(WireMockServer s, String target, int status, String body) {
        s.stubFor(post(urlEqualTo("/")).atPriority(2).withHeader("X-Amz-Target", equalTo(target))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body)));
    }
}
