package io.mlops.lambdas.evaluation;

import io.mlops.lambdas.sagemaker.ProcessingJobs;
import io.mlops.contract.RunPaths;
import io.mlops.contract.Tags;
import io.mlops.lambdas.registry.ModelRegistryClient;
import io.mlops.lambdas.settings.RunSettings;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.AppSpecification;
import software.amazon.awssdk.services.sagemaker.model.CreateProcessingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.NetworkConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingClusterConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingInput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingOutput;
import software.amazon.awssdk.services.sagemaker.model.ProcessingOutputConfig;
import software.amazon.awssdk.services.sagemaker.model.ProcessingResources;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3Output;
import software.amazon.awssdk.services.sagemaker.model.ProcessingS3UploadMode;
import software.amazon.awssdk.services.sagemaker.model.ProcessingStoppingCondition;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/**
 * The CreateProcessingJob request of the evaluation job: the image's {@code evaluate} entry point with the
 * model at {@value #MODEL_INPUT_PATH} and {@code s3://ARTIFACT_BUCKET/runs/<exec>/etl/test/} at
 * {@value #TEST_INPUT_PATH}, writing {@value #EVALUATION_OUTPUT_PATH} to
 * {@code s3://ARTIFACT_BUCKET/runs/<exec>/evaluation/}; network isolation, KMS_KEY_ARN (when set) for the
 * output and the volume, and the execution's tags.
 */
final class EvaluationJob {
    static final String MODEL_INPUT_PATH = "/opt/ml/processing/input/model";
    static final String TEST_INPUT_PATH = "/opt/ml/processing/input/test";
    static final String EVALUATION_OUTPUT_PATH = "/opt/ml/processing/evaluation";
    static final String ENTRY_POINT = "evaluate";
    static final int VOLUME_SIZE_GB = 10;

    private EvaluationJob() {
    }

    static CreateProcessingJobRequest request(EvaluateParams params, EvaluateConfig config,
            RunSettings.Evaluation evaluation, String name) {
        String bucket = config.artifactBucket();
        String exec = params.executionId();
        ProcessingInput model = ProcessingJobs.s3Input("model", params.modelDataUrl(), MODEL_INPUT_PATH);
        ProcessingInput test = ProcessingJobs.s3Input("test", RunPaths.s3Uri(bucket, RunPaths.etlSplit(exec, "test")), TEST_INPUT_PATH);
        ProcessingOutputConfig.Builder output = ProcessingOutputConfig.builder()
                .outputs(ProcessingOutput.builder().outputName("evaluation")
                        .s3Output(ProcessingS3Output.builder().s3Uri(RunPaths.s3Uri(bucket, RunPaths.evaluation(exec)))
                                .localPath(EVALUATION_OUTPUT_PATH).s3UploadMode(ProcessingS3UploadMode.END_OF_JOB).build())
                        .build());
        ProcessingClusterConfig.Builder cluster = ProcessingClusterConfig.builder().instanceCount(1)
                .instanceType(evaluation.instanceType()).volumeSizeInGB(VOLUME_SIZE_GB);
        config.kmsKeyId().ifPresent(key -> {
            output.kmsKeyId(key);
            cluster.volumeKmsKeyId(key);
        });
        return CreateProcessingJobRequest.builder()
                .processingJobName(name)
                .appSpecification(AppSpecification.builder().imageUri(params.imageUri()).containerEntrypoint(ENTRY_POINT).build())
                .processingInputs(model, test)
                .processingOutputConfig(output.build())
                .processingResources(ProcessingResources.builder().clusterConfig(cluster.build()).build())
                .stoppingCondition(ProcessingStoppingCondition.builder().maxRuntimeInSeconds(evaluation.maxRuntimeSeconds()).build())
                .roleArn(config.roleArn())
                .networkConfig(NetworkConfig.builder().enableNetworkIsolation(true).enableInterContainerTrafficEncryption(true).build())
                .tags(tags(params, config))
                .build();
    }

    private static List<Tag> tags(EvaluateParams params, EvaluateConfig config) {
        List<Tag> tags = new ArrayList<>();
        tags.add(Tag.builder().key(Tags.EXECUTION).value(params.executionId()).build());
        if (params.commitId() != null) {
            tags.add(Tag.builder().key(Tags.COMMIT).value(params.commitId()).build());
        }
        tags.add(Tag.builder().key(Tags.PROJECT).value(config.prefix()).build());
        return tags;
    }
}
