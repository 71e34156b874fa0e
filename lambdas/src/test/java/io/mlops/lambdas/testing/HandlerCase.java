package io.mlops.lambdas.testing;

import static io.mlops.lambdas.testing.Fixtures.ARTIFACTS;
import static io.mlops.lambdas.testing.Fixtures.GROUP;
import static io.mlops.lambdas.testing.Fixtures.ROLE;
import static io.mlops.lambdas.testing.Fixtures.SOURCE_KEY;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.mlops.contract.EnvNames;
import io.mlops.lambdas.approval.ApproveModelHandler;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.etl.LaunchEtlHandler;
import io.mlops.lambdas.etl.MonitorEtlHandler;
import io.mlops.lambdas.evaluation.EvaluateHandler;
import io.mlops.lambdas.modelgroup.ModelGroupHandler;
import io.mlops.lambdas.training.LaunchTrainingHandler;
import io.mlops.lambdas.training.MonitorTrainingHandler;
import io.mlops.lambdas.verify.VerifyEndpointHandler;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * One Lambda handler as the shared tests drive it: how to build it on a stub (its {@code Deps}), the
 * event fixture of its happy path, a complete environment, what must be in the stub before its first
 * AWS call (e.g. the source artifact), which call that is ({@code X-Amz-Target}), which environment
 * variables it requires before any call, and whether it reads continuation tokens.
 *
 * @param name the handler's short name, as failure messages start ({@code LaunchEtl: ...})
 */
public record HandlerCase(String name, String fixture, Map<String, String> env,
        BiFunction<HandlerEnv, ClientFactory, RequestStreamHandler> factory, Consumer<AwsStub> beforeFirstCall,
        String firstCall, List<String> requiredEnv, boolean readsContinuationToken) {

    /** Run settings every launching handler accepts. */
    public static final String RUN_SETTINGS = """
            {"evaluation": {"instanceType": "ml.c5.xlarge", "maxRuntimeSeconds": 900},
             "qualityGate": {"metric": "auc", "threshold": 0.75, "maxRegression": 0.01}}""";

    /** The handler built on {@code clients}, with {@code env} as its environment. */
    public RequestStreamHandler create(HandlerEnv env, ClientFactory clients) {
        return factory.apply(env, clients);
    }

    /** Its environment, as a mutable copy. */
    public Map<String, String> envCopy() {
        return new HashMap<>(env);
    }

    /** The event text of its fixture. */
    public String event() {
        return Fixtures.event(fixture);
    }

    @Override
    public String toString() {
        return name;
    }

    /** The seven CodePipeline job handlers. */
    public static List<HandlerCase> pipelineHandlers() {
        return List.of(
                new HandlerCase("LaunchEtl", "launch-etl.json",
                        Map.of(EnvNames.GLUE_JOB_NAME, "mlops-etl", EnvNames.ARTIFACT_BUCKET, ARTIFACTS,
                                EnvNames.DATA_BUCKET, "mlops-data-123456789012", EnvNames.AWS_REGION, "us-east-1"),
                        (env, clients) -> new LaunchEtlHandler(LaunchEtlHandler.Deps.of(env, clients)),
                        aws -> { }, "AWSGlue.GetJobRuns",
                        List.of(EnvNames.GLUE_JOB_NAME, EnvNames.ARTIFACT_BUCKET), false),
                new HandlerCase("MonitorEtl", "monitor-etl.json",
                        Map.of(EnvNames.GLUE_JOB_NAME, "mlops-etl", EnvNames.ARTIFACT_BUCKET, ARTIFACTS,
                                EnvNames.AWS_REGION, "us-east-1"),
                        (env, clients) -> new MonitorEtlHandler(MonitorEtlHandler.Deps.of(env, clients, Clock.systemUTC())),
                        aws -> { }, "AWSGlue.GetJobRun",
                        List.of(EnvNames.GLUE_JOB_NAME, EnvNames.ARTIFACT_BUCKET), true),
                new HandlerCase("LaunchTraining", "launch-training.json",
                        Map.of(EnvNames.ARTIFACT_BUCKET, ARTIFACTS, EnvNames.SAGEMAKER_ROLE_ARN, ROLE,
                                EnvNames.AWS_REGION, "us-east-1"),
                        (env, clients) -> new LaunchTrainingHandler(LaunchTrainingHandler.Deps.of(env, clients)),
                        HandlerCase::sourceArtifact, "SageMaker.CreateTrainingJob",
                        List.of(EnvNames.ARTIFACT_BUCKET, EnvNames.SAGEMAKER_ROLE_ARN), false),
                new HandlerCase("MonitorTraining", "monitor-training.json", Map.of(EnvNames.AWS_REGION, "us-east-1"),
                        (env, clients) -> new MonitorTrainingHandler(MonitorTrainingHandler.Deps.of(env, clients)),
                        aws -> { }, "SageMaker.DescribeTrainingJob", List.of(), true),
                new HandlerCase("Evaluate", "evaluate-job.json",
                        Map.of(EnvNames.ARTIFACT_BUCKET, ARTIFACTS, EnvNames.SAGEMAKER_ROLE_ARN, ROLE,
                                EnvNames.MODEL_PACKAGE_GROUP, GROUP, EnvNames.AWS_REGION, "us-east-1",
                                EnvNames.INFERENCE_INSTANCE_TYPES, "ml.t2.medium,ml.m5.large"),
                        (env, clients) -> new EvaluateHandler(EvaluateHandler.Deps.of(env, clients)),
                        HandlerCase::sourceArtifact, "SageMaker.CreateProcessingJob",
                        List.of(EnvNames.ARTIFACT_BUCKET, EnvNames.SAGEMAKER_ROLE_ARN, EnvNames.MODEL_PACKAGE_GROUP,
                                EnvNames.INFERENCE_INSTANCE_TYPES), true),
                new HandlerCase("ApproveModel", "approve-model-job.json",
                        Map.of(EnvNames.MODEL_PACKAGE_GROUP, GROUP, EnvNames.AWS_REGION, "us-east-1"),
                        (env, clients) -> new ApproveModelHandler(ApproveModelHandler.Deps.of(env, clients)),
                        aws -> { }, "SageMaker.DescribeModelPackage", List.of(EnvNames.MODEL_PACKAGE_GROUP), false),
                new HandlerCase("VerifyEndpoint", "verify-endpoint-prd.json",
                        Map.of(EnvNames.MODEL_PACKAGE_GROUP, GROUP, EnvNames.AWS_REGION, "us-east-1"),
                        (env, clients) -> new VerifyEndpointHandler(VerifyEndpointHandler.Deps.of(env, clients)),
                        aws -> { }, "SageMaker.DescribeEndpoint", List.of(EnvNames.MODEL_PACKAGE_GROUP), true));
    }

    /** The ModelGroup custom resource handler (CloudFormation, not CodePipeline), on a Create event. */
    public static HandlerCase modelGroup() {
        return new HandlerCase("ModelGroup", "model-group-create.json", Map.of(EnvNames.AWS_REGION, "us-east-1"),
                (env, clients) -> new ModelGroupHandler(ModelGroupHandler.Deps.of(clients)),
                aws -> { }, "SageMaker.ListModelPackageGroups", List.of(), false);
    }

    private static void sourceArtifact(AwsStub aws) {
        aws.s3Object(ARTIFACTS, SOURCE_KEY, Fixtures.zip(Map.of("README.md", "# repo", "config/run-settings.json",
                RUN_SETTINGS)));
    }
}
