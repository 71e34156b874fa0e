package io.mlops.lambdas.approval;

import io.mlops.contract.EnvNames;
import io.mlops.contract.actions.ApproveModel;
import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.JobOutcome;
import io.mlops.lambdas.pipeline.PipelineJob;
import io.mlops.lambdas.pipeline.PipelineJobHandler;
import io.mlops.lambdas.registry.ModelRegistryClient;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageStatus;

/**
 * <b>ApproveModel</b>: runs after the pipeline's manual approval and sets the model package the
 * Evaluate action registered to {@code Approved}, with a description naming the pipeline execution,
 * so the model registry and the pipeline never disagree about what was approved.
 *
 * <p>DescribeModelPackage first (registry calls go through {@link ModelRegistryClient}): the package must
 * belong to {@code MODEL_PACKAGE_GROUP} (checked in the ARN and in SageMaker's answer). Already
 * {@code Approved}: success without a change (idempotent re-invocation). {@code Rejected}: the action fails; the pipeline's manual approval does not override
 * the quality gate (or a person's rejection in the registry). {@code PendingManualApproval}:
 * UpdateModelPackage(ModelApprovalStatus=Approved, ApprovalDescription "Approved in CodePipeline
 * execution &lt;exec&gt; after manual approval", ModelLifeCycle Development/Approved). A Rejected package also
 * gets ModelLifeCycle Rejected/Rejected before the action fails.
 *
 * <p><b>User parameters</b> ({@link ApproveModelParams}): {@code modelPackageArn} (required,
 * {@code #{Evaluate.ModelPackageArn}}), {@code executionId} (required,
 * {@code #{codepipeline.PipelineExecutionId}}).
 *
 * <p><b>Output variables</b>: {@code ModelPackageArn}, {@code ModelPackageVersion}.
 *
 * <p><b>Environment</b>: {@code MODEL_PACKAGE_GROUP} (required).
 *
 * <p><b>IAM</b>: {@code sagemaker:DescribeModelPackage}, {@code sagemaker:UpdateModelPackage} on
 * {@code arn:aws:sagemaker:<region>:<account>:model-package/<group>/*};
 * {@code codepipeline:PutJobSuccessResult}, {@code codepipeline:PutJobFailureResult} ({@code *}).
 */
public final class ApproveModelHandler extends PipelineJobHandler<ApproveModelParams> {

    /**
     * What the handler works with: its configuration and the SDK clients (built once per container).
     * Tests build it with {@link #of} on clients pointed at a local stub.
     */
    public record Deps(HandlerConfig<ApproveModelConfig> config, CodePipelineClient codePipeline,
            SageMakerClient sageMaker) {
        /** Lambda: the configuration and the clients (region, credentials) from the function's environment. */
        static Deps of(HandlerEnv env) {
            return of(env, ClientFactory.fromEnv(env));
        }

        /** The configuration read from {@code env}, the clients from {@code clients}. */
        public static Deps of(HandlerEnv env, ClientFactory clients) {
            return new Deps(HandlerConfig.fromEnv(env, ApproveModelConfig::from), clients.codePipeline(),
                    clients.sageMaker());
        }
    }

    private final HandlerConfig<ApproveModelConfig> config;
    private final ModelRegistryClient registry;

    /** Lambda entry point: clients built once per container. */
    public ApproveModelHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    /** Tests and wiring: explicit configuration and clients. */
    public ApproveModelHandler(Deps deps) {
        super(ApproveModelParams.class, deps.codePipeline());
        this.config = deps.config();
        this.registry = new ModelRegistryClient(deps.sageMaker());
    }

    /** The approval description recorded on the package. */
    static String approvalDescription(String executionId) {
        return "Approved in CodePipeline execution " + executionId + " after manual approval";
    }

    /**
     * Records a Rejected package's ModelLifeCycle as {@code Rejected/Rejected} (unless it already is). A failed
     * update must not hide the rejection: it only adds a note to the failure message.
     */
    private String recordRejected(String arn, DescribeModelPackageResponse pkg, String executionId, HandlerLog log) {
        if (pkg.modelLifeCycle() != null && ModelRegistryClient.LifeCycle.REJECTED.stage().equals(pkg.modelLifeCycle().stage())) {
            return "";
        }
        try {
            registry.setLifeCycle(arn, ModelRegistryClient.LifeCycle.REJECTED, "Rejected in the registry; the manual "
                    + "approval of pipeline execution " + executionId + " did not release it");
            return "";
        } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
            log.error("could not record ModelLifeCycle Rejected", e);
            return " (Recording ModelLifeCycle Rejected failed: " + io.mlops.lambdas.core.AwsErrors.codeAndMessage(e) + ".)";
        }
    }

    @Override
    protected JobOutcome run(PipelineJob<ApproveModelParams> job, Context context) {
        HandlerLog log = new HandlerLog(name(), context);
        String group = config.get().modelPackageGroup();
        ApproveModelParams params = job.params();
        String arn = params.modelPackageArn();
        if (!group.equals(params.groupInArn())) {
            throw JobFailedException.configuration("model package " + arn + " belongs to group '" + params.groupInArn()
                    + "', but this function manages group '" + group + "' (environment variable "
                    + EnvNames.MODEL_PACKAGE_GROUP + "). Pass #{Evaluate.ModelPackageArn} of this pipeline, or fix the "
                    + "variable by redeploying the stack.");
        }
        DescribeModelPackageResponse pkg = registry.describe(arn);
        if (!group.equals(pkg.modelPackageGroupName())) {
            throw JobFailedException.configuration("SageMaker reports model package " + arn + " in group '"
                    + pkg.modelPackageGroupName() + "', not '" + group + "' (" + EnvNames.MODEL_PACKAGE_GROUP
                    + "); refusing to approve a package of another group.");
        }
        String version = String.valueOf(pkg.modelPackageVersion());
        String label = "model package v" + version + " (" + arn + ")";
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put(ApproveModel.Output.ModelPackageArn.name(), pkg.modelPackageArn() == null ? arn : pkg.modelPackageArn());
        outputs.put(ApproveModel.Output.ModelPackageVersion.name(), version);

        ModelApprovalStatus status = pkg.modelApprovalStatus();
        if (status == ModelApprovalStatus.APPROVED) {
            log.info("model package already approved", Map.of("modelPackageArn", arn));
            return JobOutcome.succeeded(label + " is already Approved"
                    + (pkg.approvalDescription() == null ? "" : " (" + pkg.approvalDescription() + ")"), outputs);
        }
        if (status == ModelApprovalStatus.REJECTED) {
            String lifeCycle = recordRejected(arn, pkg, params.executionId(), log);
            throw JobFailedException.jobFailed(label + " is Rejected in the model registry"
                    + (pkg.approvalDescription() == null ? "" : " (" + pkg.approvalDescription() + ")")
                    + ", by the quality gate or by a person. The manual approval in CodePipeline does not override that. "
                    + "To release it anyway, a person with registry permissions sets it to Approved in SageMaker Studio "
                    + "(Model Registry) and then retries this stage; otherwise improve the model and push a new commit."
                    + lifeCycle);
        }
        if (status != ModelApprovalStatus.PENDING_MANUAL_APPROVAL) {
            throw JobFailedException.jobFailed(label + " has approval status '" + pkg.modelApprovalStatusAsString()
                    + "', which this handler does not know. Check it in SageMaker Studio, then retry the stage.");
        }
        if (pkg.modelPackageStatus() == ModelPackageStatus.FAILED || pkg.modelPackageStatus() == ModelPackageStatus.DELETING) {
            throw JobFailedException.jobFailed(label + " has package status " + pkg.modelPackageStatusAsString()
                    + " and cannot be approved. Release a new change to register a new package.");
        }
        String description = approvalDescription(params.executionId());
        registry.approve(arn, description);
        log.info("model package approved", Map.of("modelPackageArn", arn, "executionId", params.executionId()));
        return JobOutcome.succeeded(label + " set to Approved: " + description, outputs);
    }
}
