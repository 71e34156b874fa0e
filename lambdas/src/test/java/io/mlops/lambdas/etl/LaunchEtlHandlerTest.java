package io.mlops.lambdas.etl;

import static io.mlops.lambdas.testing.Fixtures.ARTIFACTS;
import static io.mlops.lambdas.testing.Fixtures.COMMIT;
import static io.mlops.lambdas.testing.Fixtures.EXEC;
import static io.mlops.lambdas.testing.Fixtures.SOURCE_KEY;
import io.mlops.contract.EnvNames;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_FAILURE;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LaunchEtlHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String DATA = "mlops-data-123456789012";
    static final String GLUE_JOB = "mlops-etl";
    static final String JAR = "s3://mlops-artifacts-123456789012/builds/6c0d4bd2a1e8/etl.jar";
    static final String GET_JOB_RUNS = "AWSGlue.GetJobRuns";
    static final String START_JOB_RUN = "AWSGlue.StartJobRun";
    static final String NEW_RUN = "jr_7f3e2d1c0b9a8f7e6d5c4b3a2918070605040302010f0e0d0c0b0a0908070605";
    static final String EVENT = Fixtures.event("launch-etl.json");

    static final String RUN_SETTINGS = """
            {
              "etl": {
                "settingsFile": "etl/settings/bank.json",
                "workerType": "G.2X",
                "numberOfWorkers": 4,
                "timeoutMinutes": 45,
                "arguments": {"--seed": "7", "--max-reject-fraction": "0.01"}
              },
              "training": {"instanceType": "ml.m5.xlarge"}
            }
            """;
    static final String ETL_SETTINGS = "{\"label\":{\"column\":\"y\",\"positive\":\"yes\"},\"dropColumns\":[\"duration\"],\"marker\":\"bank-v3\"}";

    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(EnvNames.GLUE_JOB_NAME, GLUE_JOB);
        env.put(EnvNames.ARTIFACT_BUCKET, ARTIFACTS);
        env.put(EnvNames.DATA_BUCKET, DATA);
        env.put(EnvNames.AWS_REGION, "us-east-1");
        return env;
    }

    static void invoke(Map<String, String> env, String event) {
        LaunchEtlHandler handler = new LaunchEtlHandler(LaunchEtlHandler.Deps.of(new HandlerEnv(env), aws.clients()));
        Fixtures.invoke(handler, event, new TestContext());
    }

    static void invoke(String event) {
        invoke(env(), event);
    }

    static void source(String runSettings, String etlSettings) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("README.md", "# repo");
        if (runSettings != null) {
            files.put("config/run-settings.json", runSettings);
        }
        if (etlSettings != null) {
            files.put("etl/settings/bank.json", etlSettings);
        }
        aws.s3Object(ARTIFACTS, SOURCE_KEY, Fixtures.zip(files));
    }

    record Obj(String key, String lastModified, long size) {
    }

    /** ListObjectsV2 page for {@code prefix}; {@code token} null for the first page. */
    static void listing(String prefix, String token, String nextToken, Obj... objects) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + DATA + "</Name><Prefix>"
                + prefix + "</Prefix><KeyCount>" + objects.length + "</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>"
                + (nextToken != null) + "</IsTruncated>");
        if (token != null) {
            xml.append("<ContinuationToken>").append(token).append("</ContinuationToken>");
        }
        if (nextToken != null) {
            xml.append("<NextContinuationToken>").append(nextToken).append("</NextContinuationToken>");
        }
        for (Obj o : objects) {
            xml.append("<Contents><Key>").append(o.key()).append("</Key><LastModified>").append(o.lastModified())
                    .append("</LastModified><ETag>&quot;abc&quot;</ETag><Size>").append(o.size())
                    .append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
        }
        xml.append("</ListBucketResult>");
        aws.server().stubFor(get(urlPathMatching("/" + DATA + "/?"))
                .withQueryParam("list-type", equalTo("2"))
                .withQueryParam("prefix", equalTo(prefix))
                .withQueryParam("continuation-token", token == null ? absent() : equalTo(token))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/xml").withBody(xml.toString())));
    }

    static void acceptConfigPuts() {
        aws.s3AcceptPut(ARTIFACTS, "runs/" + EXEC + "/config/run-settings.json");
        aws.s3AcceptPut(ARTIFACTS, "runs/" + EXEC + "/config/etl-settings.json");
    }

    static String run(String id, String exec, String state, long startedOn, String input) {
        return "{\"Id\":\"" + id + "\",\"JobName\":\"" + GLUE_JOB + "\",\"JobRunState\":\"" + state + "\",\"StartedOn\":"
                + startedOn + ",\"Arguments\":{\"--execution-id\":\"" + exec + "\",\"--input\":\"" + input
                + "\",\"--output\":\"s3://" + ARTIFACTS + "/runs/" + exec + "/etl/\"}}";
    }

    static List<LoggedRequest> puts() {
        return aws.allRequests().stream().filter(r -> r.getMethod().getName().equals("PUT")).toList();
    }

    static List<LoggedRequest> listings() {
        return aws.allRequests().stream()
                .filter(r -> r.getMethod().getName().equals("GET") && r.getUrl().contains("list-type=2")).toList();
    }

    @Test
    void startsGlueRunOnTheNewestDatasetWithThisCommitsSettings() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[" + run("jr_other", "another-execution", "RUNNING", 1767225600L, "s3://x/y.zip") + "]}");
        listing("datasets/", null, "page-2",
                new Obj("datasets/", "2026-03-01T00:00:00.000Z", 0),
                new Obj("datasets/bank-2025.zip", "2025-12-01T10:00:00.000Z", 1_000_000),
                new Obj("datasets/notes.txt", "2026-03-02T00:00:00.000Z", 100));
        listing("datasets/", "page-2", null,
                new Obj("datasets/bank-2026.csv.gz", "2026-02-01T10:00:00.000Z", 900_000),
                new Obj("datasets/empty.csv", "2026-02-20T10:00:00.000Z", 0),
                new Obj("datasets/archive/bank-2024.csv", "2024-06-01T10:00:00.000Z", 5_000_000));
        acceptConfigPuts();
        aws.ok(START_JOB_RUN, "{\"JobRunId\":\"" + NEW_RUN + "\"}");

        invoke(EVENT);

        JsonNode start = aws.onlyRequest(START_JOB_RUN);
        assertThat(start.path("JobName").asText()).isEqualTo(GLUE_JOB);
        assertThat(start.path("WorkerType").asText()).isEqualTo("G.2X");
        assertThat(start.path("NumberOfWorkers").asInt()).isEqualTo(4);
        assertThat(start.path("Timeout").asInt()).isEqualTo(45);
        Map<String, String> args = new LinkedHashMap<>();
        start.path("Arguments").fields().forEachRemaining(e -> args.put(e.getKey(), e.getValue().asText()));
        assertThat(args).containsOnly(
                Map.entry("--input", "s3://" + DATA + "/datasets/bank-2026.csv.gz"),
                Map.entry("--output", "s3://" + ARTIFACTS + "/runs/" + EXEC + "/etl/"),
                Map.entry("--settings", "s3://" + ARTIFACTS + "/runs/" + EXEC + "/config/etl-settings.json"),
                Map.entry("--execution-id", EXEC),
                Map.entry("--extra-jars", JAR),
                Map.entry("--seed", "7"),
                Map.entry("--max-reject-fraction", "0.01"));

        assertThat(listings()).hasSize(2);
        assertThat(aws.requests(GET_JOB_RUNS).get(0).path("JobName").asText()).isEqualTo(GLUE_JOB);

        List<LoggedRequest> puts = puts();
        assertThat(puts).extracting(LoggedRequest::getUrl).containsExactlyInAnyOrder(
                "/" + ARTIFACTS + "/runs/" + EXEC + "/config/run-settings.json",
                "/" + ARTIFACTS + "/runs/" + EXEC + "/config/etl-settings.json");
        LoggedRequest etlPut = puts.stream().filter(r -> r.getUrl().endsWith("etl-settings.json")).findFirst().orElseThrow();
        assertThat(etlPut.getBodyAsString()).contains("\"marker\":\"bank-v3\"");
        assertThat(etlPut.getHeader("x-amz-meta-commit-id")).isEqualTo(COMMIT);
        assertThat(etlPut.getHeader("x-amz-meta-execution-id")).isEqualTo(EXEC);
        LoggedRequest runPut = puts.stream().filter(r -> r.getUrl().endsWith("run-settings.json")).findFirst().orElseThrow();
        assertThat(runPut.getBodyAsString()).contains("\"--max-reject-fraction\": \"0.01\"");
        // The settings are uploaded before the run that reads them starts.
        List<String> order = aws.allRequests().stream()
                .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
                .map(r -> r.getMethod().getName().equals("PUT") ? "PUT"
                        : START_JOB_RUN.equals(r.getHeader("X-Amz-Target")) ? "START" : "other")
                .filter(k -> !k.equals("other")).toList();
        assertThat(order).containsExactly("PUT", "PUT", "START");

        JsonNode ok = aws.jobSuccess();
        assertThat(ok.path("outputVariables").path("JobRunId").asText()).isEqualTo(NEW_RUN);
        assertThat(ok.path("outputVariables").path("DatasetUri").asText()).isEqualTo("s3://" + DATA + "/datasets/bank-2026.csv.gz");
        assertThat(ok.path("outputVariables").path("EtlOutputUri").asText()).isEqualTo("s3://" + ARTIFACTS + "/runs/" + EXEC + "/etl/");
        assertThat(ok.path("executionDetails").path("summary").asText())
                .contains("Started Glue run " + NEW_RUN, "G.2X x4", "timeout 45 min", COMMIT);
    }

    @Test
    void takesTheDatasetFromTheDatasetArtifactWhenTheActionHasIt() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");
        acceptConfigPuts();
        aws.ok(START_JOB_RUN, "{\"JobRunId\":\"" + NEW_RUN + "\"}");

        invoke(Fixtures.event("launch-etl-dataset-artifact.json"));

        String dataset = "s3://" + ARTIFACTS + "/mlops-pipeline/DatasetOut/Xk29QpL";
        assertThat(aws.onlyRequest(START_JOB_RUN).path("Arguments").path("--input").asText()).isEqualTo(dataset);
        assertThat(listings()).as("no listing when the artifact is given").isEmpty();
        assertThat(aws.jobSuccess().path("outputVariables").path("DatasetUri").asText()).isEqualTo(dataset);
    }

    @Test
    void fallsBackToTheNewestUploadWhenTheDatasetArtifactIsNotAnInputOfTheAction() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");
        listing("uploads/", null, null, new Obj("uploads/bank.zip", "2026-01-01T00:00:00.000Z", 10));
        acceptConfigPuts();
        aws.ok(START_JOB_RUN, "{\"JobRunId\":\"" + NEW_RUN + "\"}");
        Map<String, String> env = env();
        env.put(EnvNames.DATASET_PREFIX, "uploads");

        invoke(env, Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"etlJarUri\":\"" + JAR
                + "\",\"datasetArtifact\":\"DatasetOutput\"}"));

        assertThat(aws.onlyRequest(START_JOB_RUN).path("Arguments").path("--input").asText())
                .isEqualTo("s3://" + DATA + "/uploads/bank.zip");
        aws.jobSuccess();
    }

    @Test
    void reusesTheRunningRunOfThisExecutionInsteadOfStartingASecond() {
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":["
                + run("jr_other", "another-execution", "RUNNING", 1767225900L, "s3://x/other.zip") + ","
                + run("jr_mine", EXEC, "RUNNING", 1767225600L, "s3://" + DATA + "/datasets/bank.zip") + ","
                + run("jr_mine_old", EXEC, "FAILED", 1767220000L, "s3://" + DATA + "/datasets/bank.zip") + "]}");

        invoke(EVENT);

        assertThat(aws.count(START_JOB_RUN)).isZero();
        assertThat(puts()).isEmpty();
        JsonNode ok = aws.jobSuccess();
        assertThat(ok.path("outputVariables").path("JobRunId").asText()).isEqualTo("jr_mine");
        assertThat(ok.path("outputVariables").path("DatasetUri").asText()).isEqualTo("s3://" + DATA + "/datasets/bank.zip");
        assertThat(ok.path("executionDetails").path("summary").asText()).contains("Reusing Glue run jr_mine", "RUNNING");
    }

    @Test
    void startsANewRunWhenThisExecutionsPreviousRunFailed() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[" + run("jr_mine_old", EXEC, "FAILED", 1767220000L, "s3://d/old.zip") + ","
                + run("jr_mine_older", EXEC, "TIMEOUT", 1767210000L, "s3://d/old.zip") + "]}");
        listing("datasets/", null, null, new Obj("datasets/bank.zip", "2026-01-01T00:00:00.000Z", 10));
        acceptConfigPuts();
        aws.ok(START_JOB_RUN, "{\"JobRunId\":\"" + NEW_RUN + "\"}");

        invoke(EVENT);

        assertThat(aws.onlyRequest(START_JOB_RUN).path("Arguments").path("--execution-id").asText()).isEqualTo(EXEC);
        assertThat(aws.jobSuccess().path("outputVariables").path("JobRunId").asText()).isEqualTo(NEW_RUN);
    }

    @Test
    void findsTheRunOfThisExecutionOnALaterPageOfRuns() {
        aws.sequence(GET_JOB_RUNS,
                "{\"JobRuns\":[" + run("jr_a", "exec-a", "SUCCEEDED", 1767225000L, "s3://x/a.zip") + "],\"NextToken\":\"page-2\"}",
                "{\"JobRuns\":[" + run("jr_mine", EXEC, "SUCCEEDED", 1767220000L, "s3://x/mine.zip") + "]}");

        invoke(EVENT);

        List<JsonNode> pages = aws.requests(GET_JOB_RUNS);
        assertThat(pages).hasSize(2);
        assertThat(pages.get(0).has("NextToken")).isFalse();
        assertThat(pages.get(1).path("NextToken").asText()).isEqualTo("page-2");
        assertThat(aws.count(START_JOB_RUN)).isZero();
        assertThat(aws.jobSuccess().path("outputVariables").path("JobRunId").asText()).isEqualTo("jr_mine");
    }

    @Test
    void searchesABoundedNumberOfPagesOfRunsThenStartsARun() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[" + run("jr_a", "exec-a", "SUCCEEDED", 1767225000L, "s3://x/a.zip")
                + "],\"NextToken\":\"more\"}");
        listing("datasets/", null, null, new Obj("datasets/bank.zip", "2026-01-01T00:00:00.000Z", 10));
        acceptConfigPuts();
        aws.ok(START_JOB_RUN, "{\"JobRunId\":\"" + NEW_RUN + "\"}");

        invoke(EVENT);

        assertThat(aws.count(GET_JOB_RUNS)).isEqualTo(LaunchEtlHandler.MAX_RUN_PAGES);
        assertThat(aws.count(START_JOB_RUN)).isEqualTo(1);
        aws.jobSuccess();
    }

    @Test
    void retriesAThrottledStartJobRun() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");
        listing("datasets/", null, null, new Obj("datasets/bank.zip", "2026-01-01T00:00:00.000Z", 10));
        acceptConfigPuts();
        aws.throttleOnceThen(START_JOB_RUN, "{\"JobRunId\":\"" + NEW_RUN + "\"}");

        invoke(EVENT);

        assertThat(aws.count(START_JOB_RUN)).isEqualTo(2);
        assertThat(aws.jobSuccess().path("outputVariables").path("JobRunId").asText()).isEqualTo(NEW_RUN);
    }

    @Test
    void failsWithTheCommandToUploadADatasetWhenThereIsNone() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");
        listing("datasets/", null, null,
                new Obj("datasets/README.txt", "2026-01-01T00:00:00.000Z", 10),
                new Obj("datasets/empty.zip", "2026-01-02T00:00:00.000Z", 0));

        invoke(EVENT);

        aws.assertJobFailed("ConfigurationError", "no dataset",
                "aws s3 cp bank-additional.zip s3://" + DATA + "/datasets/bank-additional.zip", "datasets/README.txt");
        assertThat(aws.count(START_JOB_RUN)).isZero();
        assertThat(puts()).isEmpty();
    }

    @Test
    void failsWithConfigurationErrorWhenTheGlueJobDoesNotExist() {
        aws.error(GET_JOB_RUNS, 400, "EntityNotFoundException", "Job mlops-etl not found");

        invoke(EVENT);

        aws.assertJobFailed("ConfigurationError", "Glue job 'mlops-etl'", "GLUE_JOB_NAME", "Job mlops-etl not found");
    }

    @Test
    void failsWhenRunSettingsArgumentsClashWithThePipelinesArguments() {
        source(RUN_SETTINGS.replace("\"--seed\": \"7\"", "\"--output\": \"s3://elsewhere/\", \"--seed\": \"7\""), ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");

        invoke(EVENT);

        aws.assertJobFailed("ConfigurationError", "etl.arguments sets [--output]", "SourceOutput:config/run-settings.json");
        assertThat(aws.count(START_JOB_RUN)).isZero();
        assertThat(puts()).isEmpty();
    }

    @Test
    void failsWhenTheEtlSettingsFileIsNotInTheSourceArtifact() {
        source(RUN_SETTINGS.replace("etl/settings/bank.json", "etl/settings/banks.json"), ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");

        invoke(EVENT);

        JsonNode failure = aws.jobFailure();
        assertThat(failure.path("type").asText()).isEqualTo("ConfigurationError");
        assertThat(failure.path("message").asText()).startsWith("cannot read the ETL settings file 'etl/settings/banks.json' "
                + "named by etl.settingsFile in config/run-settings.json: fix etl.settingsFile").contains("etl/settings/bank.json");
        assertThat(aws.count(START_JOB_RUN)).isZero();
    }

    @Test
    void failsWhenTheEtlSettingsFileIsNotJson() {
        source(RUN_SETTINGS, "label: y\n");
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");

        invoke(EVENT);

        aws.assertJobFailed("ConfigurationError", "'etl/settings/bank.json'", "is not valid JSON");
        assertThat(aws.count(START_JOB_RUN)).isZero();
    }

    @Test
    void failsWhenTheRunSettingsAreInvalid() {
        source("{\"etl\":{\"workerType\":\"G.3X\"}}", ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");

        invoke(EVENT);

        aws.assertJobFailed("ConfigurationError", "etl.workerType 'G.3X'");
    }

    @Test
    void failsWhenEtlJarUriIsMissingNotAnS3JarOrUnresolved() {
        Map<String, String> cases = Map.of(
                "{\"executionId\":\"" + EXEC + "\"}", "'etlJarUri' is missing",
                "{\"executionId\":\"" + EXEC + "\",\"etlJarUri\":\"https://example.com/etl.jar\"}", "received 'https://example.com/etl.jar'",
                "{\"executionId\":\"" + EXEC + "\",\"etlJarUri\":\"s3://bucket/etl/\"}", "received 's3://bucket/etl/'",
                "{\"executionId\":\"" + EXEC + "\",\"etlJarUri\":\"#{BuildVariables.ETL_JAR_URI}\"}", "unresolved");
        cases.forEach((params, expected) -> {
            aws.server().resetRequests();
            invoke(Fixtures.withUserParameters(EVENT, params));
            aws.assertJobFailedFor(params, "ConfigurationError", expected);
            assertThat(aws.count(GET_JOB_RUNS)).isZero();
        });
    }

    @Test
    void failsWhenTheExecutionIdCouldNotBeAnS3Prefix() {
        invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"../etc\",\"etlJarUri\":\"" + JAR + "\"}"));

        aws.assertJobFailed("ConfigurationError", "'executionId'", "received '../etc'");
    }



    @Test
    void failsWithAnActionableMessageWhenTheGlueJobHasTooManyRuns() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");
        listing("datasets/", null, null, new Obj("datasets/bank.zip", "2026-01-01T00:00:00.000Z", 10));
        acceptConfigPuts();
        aws.error(START_JOB_RUN, 400, "ConcurrentRunsExceededException", "Concurrent runs exceeded for mlops-etl");

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "Concurrent runs exceeded for mlops-etl", "MaxConcurrentRuns",
                "Retry");
    }

    @Test
    void failsWithTheServiceErrorWhenGlueRejectsTheRun() {
        source(RUN_SETTINGS, ETL_SETTINGS);
        aws.ok(GET_JOB_RUNS, "{\"JobRuns\":[]}");
        listing("datasets/", null, null, new Obj("datasets/bank.zip", "2026-01-01T00:00:00.000Z", 10));
        acceptConfigPuts();
        aws.error(START_JOB_RUN, 400, "InvalidInputException", "Worker type G.2X is not supported for Glue version 2.0");

        invoke(EVENT);

        JsonNode failure = aws.assertJobFailed("JobFailed", "LaunchEtl", "InvalidInputException",
                "Worker type G.2X is not supported", "request id req-InvalidInputException");
        assertThat(failure.path("externalExecutionId").asText()).isEqualTo(TestContext.REQUEST_ID);
    }

    @Test
    void datasetPrefixIsNormalisedToAFolder() {
        assertThat(LaunchEtlConfig.datasetPrefix(new HandlerEnv(Map.of()))).isEqualTo("datasets/");
        assertThat(LaunchEtlConfig.datasetPrefix(new HandlerEnv(Map.of(EnvNames.DATASET_PREFIX, "/data/in")))).isEqualTo("data/in/");
        assertThat(LaunchEtlConfig.datasetPrefix(new HandlerEnv(Map.of(EnvNames.DATASET_PREFIX, "x/")))).isEqualTo("x/");
    }
}
