package io.mlops.systemtests.rollback;

import io.mlops.lambdas.registry.ModelRegistryClient;
import io.mlops.lambdas.registry.ModelRegistryClient.LifeCycle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackResource;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSortBy;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSummary;
import software.amazon.awssdk.services.sagemaker.model.SortOrder;

/**
 * Rolls the PRD endpoint back to an earlier Approved model version (issue 13 §2): CloudFormation UpdateStack of
 * the PRD endpoint stack with the previous template, {@code ModelPackageArn} = the chosen version and a new
 * {@code PipelineExecutionId} (every other parameter UsePreviousValue, so the same blue/green canary and alarms
 * apply), waits for UPDATE_COMPLETE, checks the endpoint serves {@code <endpoint>-<new id>}, then records the
 * chosen version in Production and the bad one as Rejected with the reason. A failed stack update changes nothing
 * in the registry.
 */
public final class Rollback {
    public static final String MODEL_PACKAGE_ARN = "ModelPackageArn";
    public static final String EXECUTION_ID = "PipelineExecutionId";
    /** The new execution id goes into SageMaker names {@code <endpoint>-<id>}: keep it to their alphabet. */
    static final Pattern ID = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9])*");

    /** An Approved version of the group, newest first; {@code serving}: the PRD endpoint's model names it. */
    public record Version(String arn, String version, String stage, Instant created, boolean serving) {
    }

    /** What a rollback will do. */
    public record Plan(String stack, String endpoint, String group, Version from, Version to, String executionId,
            String configName) {
    }

    /** The rollback cannot be done or failed; the message says why and what to do. */
    public static final class RollbackException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RollbackException(String message) {
            super(message);
        }
    }

    private final CloudFormationClient cloudFormation;
    private final SageMakerClient sageMaker;
    private final ModelRegistryClient registry;
    private final Duration pollInterval;
    private final Duration timeout;

    public Rollback(CloudFormationClient cloudFormation, SageMakerClient sageMaker, Duration pollInterval,
            Duration timeout) {
        this.cloudFormation = cloudFormation;
        this.sageMaker = sageMaker;
        this.registry = new ModelRegistryClient(sageMaker);
        this.pollInterval = pollInterval;
        this.timeout = timeout;
    }

    /** The stack (DescribeStacks). */
    public Stack stack(String stackName) {
        return cloudFormation.describeStacks(r -> r.stackName(stackName)).stacks().get(0);
    }

    /** The endpoint the stack deploys (DescribeStackResources, type AWS::SageMaker::Endpoint). */
    public String endpointName(String stackName) {
        for (StackResource r : cloudFormation.describeStackResources(b -> b.stackName(stackName)).stackResources()) {
            if ("AWS::SageMaker::Endpoint".equals(r.resourceType()) && r.physicalResourceId() != null) {
                return r.physicalResourceId();
            }
        }
        throw new RollbackException("stack " + stackName + " has no AWS::SageMaker::Endpoint resource; is it the PRD "
                + "endpoint stack (<project>-endpoint-prd)? Pass --project of the deployed pipeline.");
    }

    /** The package the endpoint's model names (DescribeEndpoint, DescribeEndpointConfig, DescribeModel). */
    public Optional<String> servedPackage(String endpoint) {
        DescribeEndpointResponse e = sageMaker.describeEndpoint(r -> r.endpointName(endpoint));
        var config = sageMaker.describeEndpointConfig(r -> r.endpointConfigName(e.endpointConfigName()));
        if (config.productionVariants().isEmpty()) {
            return Optional.empty();
        }
        String model = config.productionVariants().get(0).modelName();
        var m = sageMaker.describeModel(r -> r.modelName(model));
        return Optional.ofNullable(m.primaryContainer() == null ? null : m.primaryContainer().modelPackageName());
    }

    /** The Approved versions of {@code group}, newest first (ListModelPackages, up to 100). */
    public List<Version> approved(String group, Optional<String> served) {
        List<Version> out = new ArrayList<>();
        for (ModelPackageSummary s : sageMaker.listModelPackages(r -> r.modelPackageGroupName(group)
                .modelApprovalStatus(ModelApprovalStatus.APPROVED).sortBy(ModelPackageSortBy.CREATION_TIME)
                .sortOrder(SortOrder.DESCENDING).maxResults(100)).modelPackageSummaryList()) {
            out.add(new Version(s.modelPackageArn(), String.valueOf(s.modelPackageVersion()),
                    s.modelLifeCycle() == null ? "-" : s.modelLifeCycle().stage(), s.creationTime(),
                    served.map(p -> sameVersion(p, s.modelPackageArn())).orElse(false)));
        }
        return out;
    }

    /**
     * The plan: from = the Approved version in stage Production (else the one the endpoint serves); to =
     * {@code to} (version number or ARN) or else the newest Approved version older than {@code from}.
     */
    public Plan plan(String stackName, String group, Optional<String> to, String executionId) {
        if (!ID.matcher(executionId).matches() || executionId.length() > 40) {
            throw new RollbackException("rollback id '" + executionId + "' is not valid in SageMaker names: use 1-40 "
                    + "characters of [a-zA-Z0-9-], starting and ending with a letter or digit");
        }
        Stack stack = stack(stackName);
        String endpoint = endpointName(stackName);
        Optional<String> served = servedPackage(endpoint);
        List<Version> versions = approved(group, served);
        if (versions.isEmpty()) {
            throw new RollbackException("model package group " + group + " has no Approved version; nothing to roll "
                    + "back to. Check --project/--model.");
        }
        int fromIndex = -1;
        for (int i = 0; i < versions.size() && fromIndex < 0; i++) {
            if ("Production".equals(versions.get(i).stage())) {
                fromIndex = i;
            }
        }
        for (int i = 0; i < versions.size() && fromIndex < 0; i++) {
            if (versions.get(i).serving()) {
                fromIndex = i;
            }
        }
        if (fromIndex < 0) {
            throw new RollbackException("no Approved version of " + group + " is in stage Production or served by "
                    + endpoint + " (it serves " + served.orElse("no model package") + "); nothing to roll back from. "
                    + "Use the manual fallback in docs/runbook.md.");
        }
        Version from = versions.get(fromIndex);
        Version target;
        if (to.isPresent()) {
            String wanted = to.get();
            target = versions.stream().filter(v -> v.version().equals(wanted) || v.arn().equals(wanted)).findFirst()
                    .orElseThrow(() -> new RollbackException("--to " + wanted + " is not an Approved version of " + group
                            + "; Approved versions: " + String.join(", ", versions.stream().map(Version::version).toList())
                            + " (see --list)"));
            if (target.arn().equals(from.arn())) {
                throw new RollbackException("--to " + wanted + " is the version in Production already; choose another "
                        + "(see --list)");
            }
        } else {
            if (fromIndex + 1 >= versions.size()) {
                throw new RollbackException("no Approved version of " + group + " is older than version "
                        + from.version() + " (in Production); nothing to roll back to. Choose one with --to (see --list).");
            }
            target = versions.get(fromIndex + 1);
        }
        if (stack.parameters().stream().noneMatch(p -> MODEL_PACKAGE_ARN.equals(p.parameterKey()))) {
            throw new RollbackException("stack " + stackName + " has no parameter " + MODEL_PACKAGE_ARN
                    + "; it is not the endpoint stack of this pipeline");
        }
        return new Plan(stackName, endpoint, group, from, target, executionId, endpoint + "-" + executionId);
    }

    /** Carries the plan out; returns a one-line summary. */
    public String execute(Plan plan) {
        Stack stack = stack(plan.stack());
        List<Parameter> parameters = new ArrayList<>();
        for (Parameter p : stack.parameters()) {
            if (MODEL_PACKAGE_ARN.equals(p.parameterKey())) {
                parameters.add(Parameter.builder().parameterKey(p.parameterKey()).parameterValue(plan.to().arn()).build());
            } else if (EXECUTION_ID.equals(p.parameterKey())) {
                parameters.add(Parameter.builder().parameterKey(p.parameterKey()).parameterValue(plan.executionId()).build());
            } else {
                parameters.add(Parameter.builder().parameterKey(p.parameterKey()).usePreviousValue(true).build());
            }
        }
        // No Capabilities: the endpoint stack creates no IAM resources (the pipeline deploys it without any).
        cloudFormation.updateStack(r -> r.stackName(plan.stack()).usePreviousTemplate(true).parameters(parameters));
        String status = waitForUpdate(plan.stack());
        if (!"UPDATE_COMPLETE".equals(status)) {
            throw new RollbackException("stack " + plan.stack() + " ended in " + status + ", not UPDATE_COMPLETE: the "
                    + "rollback to version " + plan.to().version() + " failed and CloudFormation restored the previous "
                    + "deployment. The registry is unchanged. See the stack's events in the CloudFormation console.");
        }
        DescribeEndpointResponse e = sageMaker.describeEndpoint(r -> r.endpointName(plan.endpoint()));
        if (!plan.configName().equals(e.endpointConfigName()) || !"InService".equals(e.endpointStatusAsString())) {
            throw new RollbackException("stack " + plan.stack() + " is UPDATE_COMPLETE but endpoint " + plan.endpoint()
                    + " is " + e.endpointStatusAsString() + " with config " + e.endpointConfigName() + ", expected InService "
                    + "with " + plan.configName() + " (SageMaker may have rolled the canary back on an alarm). The registry "
                    + "is unchanged; check the endpoint's alarms and events.");
        }
        String note = "Rolled back from version " + plan.from().version() + " by bin/rollback (" + plan.executionId() + ")";
        registry.recordProduction(plan.group(), plan.to().arn(), note);
        return note;
    }

    /** Marks the bad version Rejected: ModelApprovalStatus Rejected, ApprovalDescription, ModelLifeCycle Rejected. */
    public void reject(Plan plan, String reason) {
        String description = reason.length() <= 1000 ? reason : reason.substring(0, 997) + "...";
        sageMaker.updateModelPackage(r -> r.modelPackageArn(plan.from().arn())
                .modelApprovalStatus(ModelApprovalStatus.REJECTED)
                .approvalDescription(description)
                .modelLifeCycle(LifeCycle.REJECTED.with("Rolled back to version " + plan.to().version() + ": " + reason)));
    }

    private String waitForUpdate(String stackName) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            String status = stack(stackName).stackStatusAsString();
            if (status != null && !status.endsWith("_IN_PROGRESS")) {
                return status;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new RollbackException("stack " + stackName + " is still " + status + " after " + timeout.toSeconds()
                        + " s; the registry is unchanged. Watch the stack in the CloudFormation console and, once it is "
                        + "UPDATE_COMPLETE, run bin/rollback again with --to the same version, or raise --timeout.");
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new RollbackException("interrupted while waiting for stack " + stackName);
            }
        }
    }

    private static boolean sameVersion(String packageName, String arn) {
        return packageName.equals(arn) || ModelRegistryClient.versionOf(packageName).equals(ModelRegistryClient.versionOf(arn))
                && packageName.contains("/");
    }
}
