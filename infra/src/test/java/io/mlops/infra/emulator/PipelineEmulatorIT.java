package io.mlops.infra.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlops.infra.AssetPaths;
import io.mlops.infra.MlopsApp;
import io.mlops.infra.TestApps;
import io.mlops.infra.emulator.PipelineEmulator.ActionResult;
import io.mlops.infra.emulator.PipelineEmulator.Execution;
import io.mlops.infra.emulator.PipelineEmulator.S3Location;
import io.mlops.infra.emulator.PipelineTemplate.Action;
import io.mlops.infra.stacks.PipelineStack;
import io.mlops.infra.validation.DeployedValues;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeProcessingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSummary;

/**
 * The synthesized pipeline, run: moto (S3, SageMaker, Glue) plus a stand-in for CodePipeline's job-result calls,
 * every Lambda action of the pipeline template run from the final lambdas bundle in stage order with the user
 * parameters exactly as the template writes them and its variables resolved from what earlier actions reported,
 * and the ModelGroup custom resource created by its handler from the same bundle. The test writes what the real
 * jobs would (the ETL outputs and manifest where the Glue run's {@code --output} points, the model artifact under
 * the training job's output path, evaluation.json under the processing job's output). Two executions: one whose
 * model passes the quality gate (registered PendingManualApproval, approved by ApproveModel after the manual
 * approval) and one whose model does not (registered Rejected, the Evaluate action fails with the metric beside
 * the threshold). A wiring check: moto is no authority on what AWS accepts.
 */
class PipelineEmulatorIT {
    static final double PASSING_AUC = 0.8123;
    static final double FAILING_AUC = 0.6987;
    static final String PASSING_EXECUTION = "1d7c3b52-8a4e-4f0b-9c21-6e5d4a3b2c10";
    static final String FAILING_EXECUTION = "9e8f7a6b-5c4d-4e3f-8a2b-1c0d9e8f7a6b";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern S3_URI = Pattern.compile("s3://([^/]+)/(.*)");

    private static MotoServer moto;
    private static JobResultStandIn standIn;
    private static S3Client s3;
    private static SageMakerClient sageMaker;
    private static GlueClient glue;
    private static PipelineTemplate template;
    private static DeployedValues values;
    private static String commitId;
    private static String groupName;
    private static JsonNode modelGroupResponse;
    private static Execution passing;
    private static Execution failing;
    private static double seconds;
    /** Problems the side-effect hooks found (an output where the next action does not look, ...). */
    private static final List<String> hookProblems = new ArrayList<>();
    /** The package as Evaluate registered it (moto's UpdateModelPackage wipes the metadata later). */
    private static final Map<String, DescribeModelPackageResponse> registered = new ConcurrentHashMap<>();
    private static final Map<String, String> datasetSha256 = new ConcurrentHashMap<>();
    /** The package right after ApproveModel (the PRD verify's ModelLifeCycle update makes moto drop the status). */
    private static final Map<String, DescribeModelPackageResponse> approved = new ConcurrentHashMap<>();
    /** Endpoint name → the model this test created for it where the stack would (moto has no CloudFormation here). */
    private static final Map<String, String> deployedModels = new ConcurrentHashMap<>();
    private static Path endpointTemplates;

    @BeforeAll
    static void runThePipelineTwice() throws Exception {
        long start = System.nanoTime();
        AssetPaths assets = AssetPaths.fromRepoRoot(TestApps.REPO_ROOT);
        App app = TestApps.app(Map.of());
        PipelineStack stack = MlopsApp.build(app, assets, false, null, null);
        CloudAssembly assembly = app.synth();
        Path pipelineTemplate = null;
        for (CloudFormationStackArtifact artifact : assembly.getStacks()) {
            if (artifact.getStackName().equals(stack.getStackName())) {
                pipelineTemplate = Path.of(artifact.getTemplateFullPath());
            }
        }
        assertThat(pipelineTemplate).as("the pipeline stack's template in the assembly").isNotNull();
        template = PipelineTemplate.read(pipelineTemplate);
        values = DeployedValues.of(pipelineTemplate);
        commitId = values.variable("SourceVariables.CommitId");

        moto = MotoServer.start();
        standIn = JobResultStandIn.start();
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEMULATOR", "emulator-secret"));
        var http = UrlConnectionHttpClient.create();
        s3 = S3Client.builder().region(Region.US_EAST_1).credentialsProvider(credentials).httpClient(http)
                .endpointOverride(moto.endpoint()).forcePathStyle(true).build();
        sageMaker = SageMakerClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials).httpClient(http)
                .endpointOverride(moto.endpoint()).build();
        glue = GlueClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials).httpClient(http)
                .endpointOverride(moto.endpoint()).build();

        Map<String, String> awsEnv = new LinkedHashMap<>();
        awsEnv.put("AWS_REGION", DeployedValues.REGION);
        awsEnv.put("AWS_DEFAULT_REGION", DeployedValues.REGION);
        awsEnv.put("AWS_ACCESS_KEY_ID", "ASIAEMULATORFUNCTION");
        awsEnv.put("AWS_SECRET_ACCESS_KEY", "emulator-function-secret");
        awsEnv.put("AWS_SESSION_TOKEN", "emulator-function-session");
        awsEnv.put("AWS_ENDPOINT_URL", moto.endpoint().toString());
        awsEnv.put("AWS_ENDPOINT_URL_CODEPIPELINE", standIn.endpoint().toString());
        ActionRunner runner = new ActionRunner(assets.lambdaJar(),
                Path.of(System.getProperty("test.classes", "target/test-classes")), awsEnv);

        prepareAccount();
        modelGroupResponse = createModelGroup(runner);
        Map<String, S3Location> artifacts = new LinkedHashMap<>();
        String artifactBucket = values.physical(bucket("Artifacts"));
        artifacts.put("SourceOutput", upload(artifactBucket, "mlops-pipeline/SourceOutp/emulated.zip", sourceZip()));
        artifacts.put("EndpointTemplates", upload(artifactBucket, "mlops-pipeline/EndpointTe/emulated.zip",
                zip(stack.templates().directory(), List.of("endpoint-dev.template.json", "endpoint-prd.template.json"))));
        PipelineEmulator emulator = new PipelineEmulator(template, values, runner, standIn, stack.templates().directory(),
                artifacts, Map.of("Source.Source", sourceVariables(), "Build.Build", buildVariables(artifactBucket)));

        Map<String, Double> auc = Map.of(PASSING_EXECUTION, PASSING_AUC, FAILING_EXECUTION, FAILING_AUC);
        endpointTemplates = stack.templates().directory();
        passing = emulator.run(PASSING_EXECUTION, hooks(PASSING_EXECUTION, auc));
        failing = emulator.run(FAILING_EXECUTION, hooks(FAILING_EXECUTION, auc));
        seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("[emulator] 2 executions, %d Lambda invocations, %d job results recorded, %.1f s in all (synth included)%n",
                Stream.of(passing, failing).flatMap(e -> e.results().stream()).mapToInt(ActionResult::invocations).sum(),
                standIn.calls().size(), seconds);
    }

    @AfterAll
    static void stop() {
        if (standIn != null) {
            standIn.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    // ---------------------------------------------------------------- assertions

    @Test
    void thePassingExecutionRunsEveryActionOfEveryStageToSuccess() {
        assertThat(passing.results()).extracting(r -> r.action().label())
                .as("every action of the template, in stage order")
                .containsExactlyElementsOf(template.actions().stream().map(Action::label).toList());
        assertThat(passing.results()).filteredOn(r -> !r.succeeded()).extracting(ActionResult::line)
                .as("actions that did not succeed in " + PASSING_EXECUTION).isEmpty();
    }

    @Test
    void everyLambdaActionEndsInExactlyOneReportedFinalOutcome() {
        for (Execution e : List.of(passing, failing)) {
            for (ActionResult r : e.results()) {
                if (!r.action().isLambda()) {
                    continue;
                }
                long finals = r.calls().stream().filter(c -> c.accepted() && (c.isFailure() || c.continuationToken() == null)).count();
                assertThat(finals).as(r.action().label() + " in " + e.executionId() + ": final results (" + r.line() + ")")
                        .isEqualTo(1);
                assertThat(r.calls()).as(r.action().label() + ": one job result per invocation").hasSize(r.invocations());
            }
        }
        assertThat(standIn.calls()).filteredOn(c -> !c.accepted())
                .extracting(c -> c.operation() + " " + c.jobId() + ": " + c.rejection())
                .as("job results the stand-in rejected (the API Reference's rules)").isEmpty();
    }

    @Test
    void everyVariableAnActionReadsWasExportedByAnEarlierAction() {
        assertThat(passing.unresolved()).as("references no earlier action exported (CodePipeline fails such an action)")
                .isEmpty();
        Set<String> read = new LinkedHashSet<>();
        template.actions().forEach(a -> read.addAll(a.variablesRead()));
        assertThat(passing.variables().keySet()).as("exported by the passing execution").containsAll(read);
    }

    @Test
    void theContinuationTokenIsFollowedUntilTheEvaluationIsDone() {
        ActionResult evaluate = passing.result("Evaluate", "Evaluate");
        assertThat(evaluate.invocations()).as("Evaluate starts the processing job, then polls it").isGreaterThanOrEqualTo(2);
        assertThat(evaluate.calls().get(0).continuationToken()).as("first Evaluate result").isNotBlank();
        assertThat(evaluate.calls().get(0).outputVariables()).as("no output variables with a continuation token").isEmpty();
    }

    @Test
    void theSideEffectsAreWhereTheNextActionLooks() {
        assertThat(hookProblems).isEmpty();
        assertThat(passing.variables().get("TrainMonitor.ModelDataUrl")).as("what MonitorTraining exports")
                .isEqualTo(passing.variables().get("Evaluate.ModelDataUrl"));
        assertThat(passing.variables().get("EtlMonitor.DatasetSha256")).isEqualTo(datasetSha256.get(PASSING_EXECUTION));
    }

    @Test
    void theModelGroupCustomResourceCreatesTheGroupTheHandlersUse() {
        assertThat(modelGroupResponse.path("PhysicalResourceId").asText()).isEqualTo(groupName);
        assertThat(sageMaker.describeModelPackageGroup(r -> r.modelPackageGroupName(groupName)).modelPackageGroupArn())
                .isEqualTo(modelGroupResponse.path("Data").path("ModelPackageGroupArn").asText());
        for (String label : List.of("Evaluate.Evaluate", "ApproveModel.ApproveModel")) {
            Action a = template.actions().stream().filter(x -> x.label().equals(label)).findFirst().orElseThrow();
            assertThat(values.resolveIntrinsics(template.function(a).environment().get("MODEL_PACKAGE_GROUP")))
                    .as(label + " MODEL_PACKAGE_GROUP").isEqualTo(groupName);
        }
    }

    @Test
    void registersThePassingModelPendingManualApprovalAndApprovesItAfterTheManualApproval() {
        String arn = passing.variables().get("Evaluate.ModelPackageArn");
        DescribeModelPackageResponse atRegistration = registered.get(PASSING_EXECUTION);
        assertThat(atRegistration).as("the package Evaluate registered").isNotNull();
        assertThat(atRegistration.modelPackageArn()).isEqualTo(arn);
        assertThat(atRegistration.modelPackageGroupName()).isEqualTo(groupName);
        assertThat(atRegistration.modelApprovalStatus()).isEqualTo(ModelApprovalStatus.PENDING_MANUAL_APPROVAL);
        assertThat(atRegistration.customerMetadataProperties())
                .containsEntry("pipeline-execution-id", PASSING_EXECUTION)
                .containsEntry("commit-id", commitId)
                .containsEntry("dataset-sha256", datasetSha256.get(PASSING_EXECUTION))
                .containsEntry("gate", "passed")
                .containsEntry("gate.metric", "auc")
                .containsKey("metric.auc");
        var container = atRegistration.inferenceSpecification().containers().get(0);
        assertThat(container.image()).isEqualTo(passing.variables().get("BuildVariables.IMAGE_URI"))
                .isEqualTo(passing.variables().get("Evaluate.ModelImageUri"));
        assertThat(container.modelDataUrl()).isEqualTo(passing.variables().get("TrainMonitor.ModelDataUrl"));
        assertThat(atRegistration.modelMetrics().modelQuality().statistics().s3Uri())
                .isEqualTo("s3://" + values.physical(bucket("Artifacts")) + "/runs/" + PASSING_EXECUTION + "/evaluation/evaluation.json");
        assertThat(passing.variables()).containsEntry("Evaluate.GateMetric", "auc")
                .containsEntry("Evaluate.ChampionValue", "none")
                .containsEntry("ApproveModel.ModelPackageArn", arn);

        // Right after ApproveModel: the PRD verify later sends UpdateModelPackage with only a ModelLifeCycle, which
        // moto 5.2.1 answers by clearing the approval status (AWS leaves omitted fields as they are).
        DescribeModelPackageResponse now = approved.get(PASSING_EXECUTION);
        assertThat(now).as("the package after ApproveModel").isNotNull();
        assertThat(now.modelApprovalStatus()).isEqualTo(ModelApprovalStatus.APPROVED);
        assertThat(now.approvalDescription()).contains(PASSING_EXECUTION);
        String approval = passing.result("Approve", "Approve").message();
        System.out.println("[emulator] Approve.Approve resolved CustomData (" + (approval.length() - approval.indexOf("CustomData: ") - 12)
                + " characters): " + approval.substring(approval.indexOf("CustomData: ") + 12));
        assertThat(approval).as("the approval's CustomData, resolved")
                .doesNotContain("#{").contains("auc").contains("0.75");
    }

    @Test
    void theCloudFormationActionsPassOnlyParametersTheEndpointTemplatesDeclare() {
        for (String stage : List.of("DeployDev", "DeployPrd")) {
            ActionResult r = passing.result(stage, "Deploy");
            assertThat(r.succeeded()).as(r.line()).isTrue();
            assertThat(r.message()).doesNotContain("#{");
        }
    }

    /**
     * Issue 13: the Verify action after each deploy finds the endpoint serving this execution's config and model,
     * and the PRD one records the package as Production. The endpoints are what this test created where
     * CloudFormation would (moto: CreateModel/CreateEndpointConfig/CreateEndpoint; its endpoints are InService at
     * once); moto 5.2.1 keeps no ModelLifeCycle, so the registry record is checked in the action's report.
     */
    @Test
    void theVerifyActionsFindTheEndpointsServingThisExecution() {
        String arn = passing.variables().get("Evaluate.ModelPackageArn");
        for (String[] v : new String[][] {{"DeployDev", "VerifyDev", "mlops-dev"}, {"DeployPrd", "VerifyPrd", "mlops-prd"}}) {
            ActionResult r = passing.result(v[0], "Verify");
            assertThat(r.succeeded()).as(r.line()).isTrue();
            assertThat(r.message()).contains("endpoint " + v[2] + " is InService with config " + v[2] + "-" + PASSING_EXECUTION);
            assertThat(passing.variables()).containsEntry(v[1] + ".EndpointConfigName", v[2] + "-" + PASSING_EXECUTION)
                    .containsEntry(v[1] + ".ModelPackageArn", arn);
            assertThat(deployedModels).containsEntry(v[2], v[2] + "-" + PASSING_EXECUTION);
        }
        assertThat(passing.result("DeployPrd", "Verify").message()).contains("registry: Production");
        assertThat(passing.variables()).containsEntry("VerifyPrd.ArchivedPackages", "none");
        assertThat(failing.ran("DeployDev", "Verify")).isFalse();
    }

    @Test
    void failsTheGateOfAWorseModelWithTheMetricBesideTheThresholdAndRejectsThePackage() {
        ActionResult evaluate = failing.result("Evaluate", "Evaluate");
        assertThat(evaluate.outcome()).as(evaluate.line()).isEqualTo("Failed");
        assertThat(evaluate.message()).startsWith("JobFailed: ").contains("auc").contains("0.6987").contains("0.75");
        assertThat(failing.ran("DeployDev", "Deploy")).as("DeployDev after a failed gate").isFalse();
        assertThat(failing.results()).filteredOn(r -> !r.action().stage().equals("Evaluate"))
                .allMatch(ActionResult::succeeded, "the stages before Evaluate succeed");

        List<ModelPackageSummary> rejected = sageMaker.listModelPackages(r -> r.modelPackageGroupName(groupName)
                .modelApprovalStatus(ModelApprovalStatus.REJECTED)).modelPackageSummaryList();
        assertThat(rejected).as("packages Rejected in the group").hasSize(1);
        assertThat(registered).as("a failed gate exports no ModelPackageArn").doesNotContainKey(FAILING_EXECUTION);
        DescribeModelPackageResponse pkg = sageMaker.describeModelPackage(r -> r.modelPackageName(rejected.get(0).modelPackageArn()));
        assertThat(pkg.customerMetadataProperties()).containsEntry("pipeline-execution-id", FAILING_EXECUTION)
                .containsEntry("gate", "failed");
        assertThat(evaluate.message()).contains(pkg.modelPackageArn());
    }

    @Test
    void everyActionConfigurationValueFitsTheApiLimit() {
        // API Reference (botocore codepipeline model): ActionConfigurationValue is 1..1000 characters.
        List<String> tooLong = new ArrayList<>();
        for (Action a : template.actions()) {
            a.configuration().fields().forEachRemaining(e -> {
                String v = values.resolveIntrinsics(e.getValue());
                if (v.isEmpty() || v.length() > 1000) {
                    tooLong.add(a.label() + "." + e.getKey() + " has " + v.length() + " characters");
                }
            });
        }
        assertThat(tooLong).isEmpty();
    }

    @Test
    void runsWithinThreeMinutes() {
        assertThat(seconds).as("synth + moto + both executions, seconds").isLessThan(180);
    }

    // ---------------------------------------------------------------- the account moto stands for

    private static void prepareAccount() throws IOException {
        for (String id : template.resourcesOfType("AWS::S3::Bucket")) {
            String name = values.physical(id);
            s3.createBucket(r -> r.bucket(name));
        }
        String jobId = template.resourcesOfType("AWS::Glue::Job").get(0);
        JsonNode job = template.properties(jobId);
        glue.createJob(r -> r.name(job.path("Name").asText()).role(values.resolveIntrinsics(job.path("Role")))
                .command(c -> c.name(job.path("Command").path("Name").asText()).scriptLocation("s3://emulated/GlueEntry.scala")));
        Action launch = template.action("ETL", "Launch");
        Map<String, JsonNode> env = template.function(launch).environment();
        String dataBucket = values.resolveIntrinsics(env.get("DATA_BUCKET"));
        String prefix = env.containsKey("DATASET_PREFIX") ? env.get("DATASET_PREFIX").asText() : "datasets/";
        Path dataset = TestApps.assets().datasetFile();
        s3.putObject(r -> r.bucket(dataBucket).key(prefix + dataset.getFileName()), RequestBody.fromFile(dataset));
    }

    /** Runs the ModelGroup custom resource's handler (the Provider framework's user onEvent function) for Create. */
    private static JsonNode createModelGroup(ActionRunner runner) throws IOException {
        String resource = template.resourcesOfType("Custom::ModelPackageGroup").get(0);
        JsonNode props = template.properties(resource);
        String provider = props.path("ServiceToken").path("Fn::GetAtt").path(0).asText();
        JsonNode onEvent = template.function(provider).environment().get("USER_ON_EVENT_FUNCTION_ARN");
        PipelineTemplate.Function handler = template.function(onEvent.path("Fn::GetAtt").path(0).asText());
        ObjectNode properties = JSON.createObjectNode();
        props.fields().forEachRemaining(e -> properties.set(e.getKey(), e.getValue().isContainerNode() && !e.getValue().isArray()
                ? JSON.getNodeFactory().textNode(values.resolveIntrinsics(e.getValue())) : e.getValue()));
        groupName = properties.path("GroupName").asText();
        ObjectNode event = JSON.createObjectNode();
        event.put("RequestType", "Create");
        event.put("ServiceToken", properties.path("ServiceToken").asText());
        event.put("ResponseURL", "http://127.0.0.1:9/unused-by-the-provider-framework");
        event.put("StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/mlops-pipeline/emulated");
        event.put("RequestId", "emulated-create");
        event.put("LogicalResourceId", resource);
        event.put("ResourceType", "Custom::ModelPackageGroup");
        event.set("ResourceProperties", properties);
        Map<String, String> env = new LinkedHashMap<>();
        handler.environment().forEach((k, v) -> env.put(k, values.resolveIntrinsics(v)));
        ActionRunner.Invocation inv = runner.invoke(handler.handler(), env, event.toString());
        Matcher m = Pattern.compile("(?m)^RESPONSE (.*)$").matcher(inv.output());
        assertThat(inv.exit()).as("ModelGroup Create from the bundle:\n" + inv.tail()).isZero();
        assertThat(m.find()).as("ModelGroup response:\n" + inv.tail()).isTrue();
        System.out.printf("[emulator] %-26s %-16s %2d invocation(s) %-12s %6.1f s%n", "ModelRegistry.Group (Create)",
                handler.handler().substring(handler.handler().lastIndexOf('.') + 1), 1, "Succeeded", inv.seconds());
        return JSON.readTree(m.group(1));
    }

    /** The repository's config/ plus the files its run settings name (etl.settingsFile), as the source zip holds them. */
    private static byte[] sourceZip() throws IOException {
        Path root = TestApps.REPO_ROOT;
        List<String> files = new ArrayList<>();
        try (Stream<Path> config = Files.walk(root.resolve("config"))) {
            config.filter(Files::isRegularFile).forEach(p -> files.add(root.relativize(p).toString().replace('\\', '/')));
        }
        JsonNode settings = JSON.readTree(root.resolve("config/run-settings.json").toFile());
        files.add(settings.path("etl").path("settingsFile").asText());
        return zip(root, files);
    }

    private static byte[] zip(Path root, List<String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String f : files) {
                zip.putNextEntry(new ZipEntry(f));
                zip.write(Files.readAllBytes(root.resolve(f)));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static S3Location upload(String bucket, String key, byte[] body) {
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(body));
        return new S3Location(bucket, key);
    }

    /** CodeCommit source action variables (CodePipeline's "Variables reference"). */
    private static Map<String, String> sourceVariables() {
        Action source = template.action("Source", "Source");
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("CommitId", commitId);
        vars.put("CommitMessage", "emulated commit");
        vars.put("RepositoryName", template.properties(source.configuration().path("RepositoryName").path("Fn::GetAtt").path(0).asText())
                .path("RepositoryName").asText());
        vars.put("BranchName", source.configuration().path("BranchName").asText());
        vars.put("AuthorDate", "2026-12-03T07:00:00Z");
        vars.put("CommitterDate", "2026-12-03T07:00:00Z");
        return vars;
    }

    /** The variables the buildspec exports (its env.exported-variables), with values in the build script's formats. */
    private static Map<String, String> buildVariables(String artifactBucket) throws IOException {
        String ecr = DeployedValues.ACCOUNT + ".dkr.ecr." + DeployedValues.REGION + ".amazonaws.com/"
                + template.properties(template.resourcesOfType("AWS::ECR::Repository").get(0)).path("RepositoryName").asText();
        String etl = "s3://" + artifactBucket + "/builds/" + commitId + "/etl";
        Map<String, String> samples = Map.of(
                "COMMIT_ID", commitId,
                "IMAGE_URI", ecr + "@sha256:9b0c6f3e2a1d4c5b8e7f6a5d4c3b2a19081726354a5b6c7d8e9f0a1b2c3d4e5f",
                "IMAGE_TAG_URI", ecr + ":" + commitId,
                "ETL_JAR_URI", etl + "/etl.jar",
                "ETL_SCRIPT_URI", etl + "/GlueEntry.scala",
                "ETL_SETTINGS_URI", etl + "/settings.json");
        Map<String, String> vars = new LinkedHashMap<>();
        for (String name : exportedVariables(TestApps.REPO_ROOT.resolve(AssetPaths.BUILDSPEC))) {
            String v = samples.get(name);
            if (v == null) {
                throw new IllegalStateException(AssetPaths.BUILDSPEC + " exports " + name + ", which the emulator has no value for:"
                        + " add one in the format the build script writes to " + PipelineEmulatorIT.class.getSimpleName());
            }
            vars.put(name, v);
        }
        return vars;
    }

    static List<String> exportedVariables(Path buildspec) throws IOException {
        List<String> names = new ArrayList<>();
        boolean inList = false;
        for (String line : Files.readAllLines(buildspec, StandardCharsets.UTF_8)) {
            String t = line.strip();
            if (t.equals("exported-variables:")) {
                inList = true;
            } else if (inList && t.startsWith("- ")) {
                names.add(t.substring(2).strip());
            } else if (inList && !t.isEmpty() && !t.startsWith("#")) {
                inList = false;
            }
        }
        assertThat(names).as("env.exported-variables of " + buildspec).isNotEmpty();
        return names;
    }

    // ---------------------------------------------------------------- what the real jobs would write

    private static PipelineEmulator.Hooks hooks(String exec, Map<String, Double> auc) {
        return new PipelineEmulator.Hooks() {
            @Override
            public void afterInvocation(Action action, int invocation, List<JobResultStandIn.Call> calls) {
                sideEffects(action, calls, exec, auc);
            }

            @Override
            public void afterDeploy(Action action, Map<String, String> parameters) {
                try {
                    deployEndpoint(action, parameters);
                } catch (Exception e) {
                    hookProblems.add(action.label() + " deploy in " + exec + ": " + e);
                }
            }
        };
    }

    /**
     * What the endpoint stack creates, written with the SDK: the model {@code <endpoint>-<execution>} (PRD: the
     * package; DEV: its image and model data), the endpoint config of the same name with one AllTraffic variant,
     * and the endpoint (names and sources as the endpoint template has them; sizes are not checked here).
     */
    private static void deployEndpoint(Action action, Map<String, String> p) throws IOException {
        String file = action.stage().equals("DeployPrd") ? "endpoint-prd.template.json" : "endpoint-dev.template.json";
        String endpoint = null;
        for (JsonNode r : JSON.readTree(endpointTemplates.resolve(file).toFile()).path("Resources")) {
            if (r.path("Type").asText().equals("AWS::SageMaker::Endpoint")) {
                endpoint = r.path("Properties").path("EndpointName").asText();
            }
        }
        assertThat(endpoint).as("EndpointName in " + file).isNotBlank();
        String name = endpoint + "-" + p.get("PipelineExecutionId");
        var container = action.stage().equals("DeployPrd")
                ? software.amazon.awssdk.services.sagemaker.model.ContainerDefinition.builder()
                        .modelPackageName(p.get("ModelPackageArn")).build()
                : software.amazon.awssdk.services.sagemaker.model.ContainerDefinition.builder()
                        .image(p.get("ModelImageUri")).modelDataUrl(p.get("ModelDataUrl")).build();
        sageMaker.createModel(r -> r.modelName(name).executionRoleArn(p.get("ModelExecutionRoleArn")).containers(container));
        sageMaker.createEndpointConfig(r -> r.endpointConfigName(name).productionVariants(v -> v.variantName("AllTraffic")
                .modelName(name).initialInstanceCount(1).instanceType("ml.m5.large").initialVariantWeight(1.0f)));
        String endpointName = endpoint;
        sageMaker.createEndpoint(r -> r.endpointName(endpointName).endpointConfigName(name));
        deployedModels.put(endpoint, name);
    }

    private static void sideEffects(Action action, List<JobResultStandIn.Call> calls, String exec, Map<String, Double> auc) {
        if (calls.size() != 1 || !calls.get(0).accepted() || calls.get(0).isFailure()) {
            return;
        }
        JobResultStandIn.Call call = calls.get(0);
        try {
            switch (action.label()) {
                case "ETL.Launch" -> etlOutputs(action, call.outputVariables().get("JobRunId"), exec);
                case "Train.Launch" -> modelArtifact(call.outputVariables().get("TrainingJobName"));
                case "Evaluate.Evaluate" -> {
                    if (call.continuationToken() != null) {
                        evaluationReport(exec, auc.get(exec));
                    } else {
                        String arn = call.outputVariables().get("ModelPackageArn");
                        registered.put(exec, sageMaker.describeModelPackage(r -> r.modelPackageName(arn)));
                    }
                }
                case "ApproveModel.ApproveModel" -> {
                    String arn = call.outputVariables().get("ModelPackageArn");
                    approved.put(exec, sageMaker.describeModelPackage(r -> r.modelPackageName(arn)));
                }
                default -> { }
            }
        } catch (Exception e) {
            hookProblems.add(action.label() + " side effect in " + exec + ": " + e);
        }
    }

    /** The Glue job's outputs under the run's {@code --output} (docs/contracts/etl-job.md). */
    private static void etlOutputs(Action launch, String runId, String exec) throws Exception {
        String jobName = values.resolveIntrinsics(template.function(launch).environment().get("GLUE_JOB_NAME"));
        JobRun run = glue.getJobRun(r -> r.jobName(jobName).runId(runId)).jobRun();
        String output = run.arguments().get("--output");
        Matcher out = S3_URI.matcher(output);
        Matcher in = S3_URI.matcher(run.arguments().get("--input"));
        if (!out.matches() || !in.matches()) {
            hookProblems.add("Glue run " + runId + " has --output " + output + ", --input " + run.arguments().get("--input"));
            return;
        }
        byte[] dataset = s3.getObjectAsBytes(r -> r.bucket(in.group(1)).key(in.group(2))).asByteArray();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(dataset));
        datasetSha256.put(exec, sha);
        String csv = "y,age,job\n1,41,admin.\n0,37,services\n0,29,technician\n";
        for (String split : List.of("train", "validation", "test")) {
            s3.putObject(r -> r.bucket(out.group(1)).key(out.group(2) + split + "/part-00000.csv"), RequestBody.fromString(csv));
        }
        ObjectNode m = JSON.createObjectNode();
        m.put("executionId", exec);
        m.putObject("source").put("uri", run.arguments().get("--input")).put("sha256", sha);
        m.put("rowsRead", 20).put("duplicates", 1);
        m.putObject("rejected").put("total", 1);
        ObjectNode splits = m.putObject("splits");
        splits.putObject("train").put("rows", 12);
        splits.putObject("validation").put("rows", 3);
        splits.putObject("test").put("rows", 3);
        s3.putObject(r -> r.bucket(out.group(1)).key(out.group(2) + "manifest.json"), RequestBody.fromString(m.toString()));
    }

    /** model.tar.gz where SageMaker puts it: {@code <S3OutputPath>/<job name>/output/model.tar.gz}. */
    private static void modelArtifact(String trainingJob) throws IOException {
        DescribeTrainingJobResponse d = sageMaker.describeTrainingJob(r -> r.trainingJobName(trainingJob));
        String path = d.outputDataConfig().s3OutputPath();
        Matcher m = S3_URI.matcher((path.endsWith("/") ? path : path + "/") + trainingJob + "/output/model.tar.gz");
        if (!m.matches()) {
            hookProblems.add("training job " + trainingJob + " has S3OutputPath " + path);
            return;
        }
        ByteArrayOutputStream tgz = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(tgz)) {
            gz.write(new byte[1024]); // an empty tar archive: two zero blocks
        }
        s3.putObject(r -> r.bucket(m.group(1)).key(m.group(2)), RequestBody.fromBytes(tgz.toByteArray()));
    }

    /** evaluation.json in the processing job's "evaluation" output (docs/contracts/model-container.md). */
    private static void evaluationReport(String exec, double auc) throws IOException {
        List<DescribeProcessingJobResponse> jobs = sageMaker.listProcessingJobs(r -> r.maxResults(100)).processingJobSummaries()
                .stream().map(s -> sageMaker.describeProcessingJob(r -> r.processingJobName(s.processingJobName())))
                .filter(d -> d.processingOutputConfig().outputs().stream()
                        .anyMatch(o -> o.s3Output().s3Uri().contains("/runs/" + exec + "/")))
                .toList();
        if (jobs.size() != 1) {
            hookProblems.add("expected one processing job writing under runs/" + exec + "/, found " + jobs.size());
            return;
        }
        DescribeProcessingJobResponse job = jobs.get(0);
        for (var input : job.processingInputs()) {
            Matcher in = S3_URI.matcher(input.s3Input().s3Uri());
            if (!in.matches() || s3.listObjectsV2(r -> r.bucket(in.group(1)).prefix(in.group(2))).keyCount() == 0) {
                hookProblems.add("processing job " + job.processingJobName() + " input " + input.inputName() + " "
                        + input.s3Input().s3Uri() + " holds no object (what the earlier stage wrote is elsewhere)");
            }
        }
        var output = job.processingOutputConfig().outputs().stream().filter(o -> o.outputName().equals("evaluation")).findFirst()
                .orElseThrow();
        String uri = output.s3Output().s3Uri();
        Matcher m = S3_URI.matcher((uri.endsWith("/") ? uri : uri + "/") + "evaluation.json");
        if (!m.matches()) {
            hookProblems.add("processing output " + uri);
            return;
        }
        ObjectNode report = JSON.createObjectNode();
        ObjectNode metrics = report.putObject("binary_classification_metrics");
        metrics.putObject("auc").put("value", auc).put("standard_deviation", "NaN");
        metrics.putObject("pr_auc").put("value", auc - 0.35).put("standard_deviation", "NaN");
        metrics.putObject("accuracy").put("value", 0.89).put("standard_deviation", "NaN");
        metrics.putObject("f1").put("value", 0.52).put("standard_deviation", "NaN");
        metrics.putObject("rows").put("value", 3);
        s3.putObject(r -> r.bucket(m.group(1)).key(m.group(2)), RequestBody.fromString(report.toString()));
    }

    private static String bucket(String hint) {
        return template.resourcesOfType("AWS::S3::Bucket").stream().filter(id -> id.contains(hint)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no bucket with '" + hint + "' in its logical id"));
    }
}
