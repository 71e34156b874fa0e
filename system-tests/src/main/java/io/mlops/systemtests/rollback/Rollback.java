package io.mlops.systemtests.rollback;

import io.mlops.lambdas.core.AwsErrors;
import io.mlops.lambdas.registry.ModelRegistryClient;
import io.mlops.lambdas.registry.ModelRegistryClient.LifeCycle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackResource;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.ContainerDefinition;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSortBy;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSummary;
import software.amazon.awssdk.services.sagemaker.model.SortOrder;

/**
 * Rolls the PRD endpoint back to an earlier Approved model version (issue 13 §2): CloudFormation UpdateStack of
 * the PRD endpoint stack with the previous template, {@code ModelPackageArn} = the chosen version and a new
 * {@code PipelineExecutionId} (every other parameter UsePreviousValue, so the same blue/green canary and alarms
 * apply), waits for UPDATE_COMPLETE (DescribeStacks polling, bounded), checks the endpoint is InService with
 * config {@code <endpoint>-<new id>} whose model runs the chosen package, then records the chosen version in
 * Production and the bad one as Rejected with the reason. A failed stack update or an endpoint that does not
 * serve the new config changes nothing in the registry. {@link #plan} only reads (Describe/List calls).
 */
public final class Rollback {
    public static final String MODEL_PACKAGE_ARN = "ModelPackageArn";
    public static final String EXECUTION_ID = "PipelineExecutionId";
    /**
     * The new execution id: the endpoint template's AllowedPattern {@code [a-zA-Z0-9-]{1,36}} (EndpointStack), and
     * it goes into SageMaker names {@code <endpoint>-<id>} (no leading/trailing hyphen, at most 63 characters).
     */
    static final Pattern ID = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,35}");
    static final int MAX_NAME = 63;
    /** ApprovalDescription: 0-1024 characters (API Reference UpdateModelPackage). */
    static final int MAX_APPROVAL_DESCRIPTION = 1024;
    /** Stack states an update may start from; anything else (in progress, failed) is refused in the plan. */
    static final Set<String> UPDATABLE = Set.of("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE");

    /** An Approved version of the group, newest first; {@code serving}: the PRD endpoint's model names it. */
    public record Version(String arn, String version, String stage, Instant created, boolean serving) {
    }

    /** What a rollback will do; {@code warnings}: what the operator should know before executing it. */
    public record Plan(String stack, String endpoint, String group, Version from, Version to, String executionId,
            String configName, List<String> warnings) {

        /** The plan as text lines (printed by {@code --dry-run} and before the rollback). */
        public List<String> describe() {
            List<String> lines = new ArrayList<>();
            lines.add("stack " + stack + ": UpdateStack with the previous template; " + MODEL_PACKAGE_ARN + " = " + to.arn()
                    + ", " + EXECUTION_ID + " = " + executionId + ", every other parameter its previous value");
            lines.add("endpoint " + endpoint + ": from version " + from.version() + " (" + from.stage()
                    + (from.serving() ? ", serving" : "") + ") to version " + to.version() + " (" + to.stage()
                    + "), new config " + configName + " (same blue/green canary and alarms)");
            lines.add("registry " + group + " after a verified redeploy: version " + to.version() + " -> Production; version "
                    + from.version() + " -> Rejected (ModelApprovalStatus and ModelLifeCycle) with the reason");
            warnings.forEach(w -> lines.add("warning: " + w));
            return lines;
        }
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

    /** {@code rollback-<yyyyMMddHHmmss>} (UTC) of {@code now}: 23 characters, valid as the template's execution id. */
    public static String newExecutionId(Instant now) {
        return "rollback-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(now);
    }

    /** The stack (DescribeStacks; a missing stack is a ValidationError from CloudFormation). */
    public Stack stack(String stackName) {
        return cloudFormation.describeStacks(r -> r.stackName(stackName)).stacks().get(0);
    }

    /**
     * The endpoint the stack deploys: DescribeStackResources, the resource of type AWS::SageMaker::Endpoint. Its
     * PhysicalResourceId is the endpoint's ARN (the resource's primary identifier is EndpointArn); the name is the
     * part after {@code endpoint/}.
     */
    public String endpointName(String stackName) {
        for (StackResource r : cloudFormation.describeStackResources(b -> b.stackName(stackName)).stackResources()) {
            if ("AWS::SageMaker::Endpoint".equals(r.resourceType()) && r.physicalResourceId() != null) {
                return nameOf(r.physicalResourceId());
            }
        }
        throw new RollbackException("stack " + stackName + " has no AWS::SageMaker::Endpoint resource; is it the PRD "
                + "endpoint stack (<project>-endpoint-prd)? Pass --project of the deployed pipeline.");
    }

    static String nameOf(String physicalId) {
        int i = physicalId.indexOf(":endpoint/");
        return physicalId.startsWith("arn:") && i >= 0 ? physicalId.substring(i + ":endpoint/".length()) : physicalId;
    }

    /** The package the endpoint's model names (DescribeEndpoint, DescribeEndpointConfig, DescribeModel). */
    public Optional<String> servedPackage(String endpoint) {
        DescribeEndpointResponse e = sageMaker.describeEndpoint(r -> r.endpointName(endpoint));
        return packageOfConfig(e.endpointConfigName());
    }

    private Optional<String> packageOfConfig(String configName) {
        if (configName == null) {
            return Optional.empty();
        }
        var config = sageMaker.describeEndpointConfig(r -> r.endpointConfigName(configName));
        if (!config.hasProductionVariants() || config.productionVariants().isEmpty()) {
            return Optional.empty();
        }
        String model = config.productionVariants().get(0).modelName();
        DescribeModelResponse m = sageMaker.describeModel(r -> r.modelName(model));
        ContainerDefinition c = m.primaryContainer() != null ? m.primaryContainer()
                : m.hasContainers() && !m.containers().isEmpty() ? m.containers().get(0) : null;
        return Optional.ofNullable(c == null ? null : c.modelPackageName());
    }

    /**
     * The Approved versions of {@code group}, newest first: every page of ListModelPackages (at most 100 a page;
     * the SDK's paginator passes NextToken on until an answer has none).
     */
    public List<Version> approved(String group, Optional<String> served) {
        List<Version> out = new ArrayList<>();
        for (ModelPackageSummary s : sageMaker.listModelPackagesPaginator(r -> r.modelPackageGroupName(group)
                .modelApprovalStatus(ModelApprovalStatus.APPROVED).sortBy(ModelPackageSortBy.CREATION_TIME)
                .sortOrder(SortOrder.DESCENDING).maxResults(100)).modelPackageSummaryList()) {
            out.add(new Version(s.modelPackageArn(), String.valueOf(s.modelPackageVersion()),
                    s.modelLifeCycle() == null || s.modelLifeCycle().stage() == null ? "-" : s.modelLifeCycle().stage(),
                    s.creationTime(), served.map(p -> samePackage(p, s.modelPackageArn())).orElse(false)));
        }
        return out;
    }

    /** {@link #approved} with what the PRD endpoint of {@code stackName} serves (for {@code --list}). */
    public List<Version> list(String stackName, String group) {
        return approved(group, servedPackage(endpointName(stackName)));
    }

    /**
     * The plan (read-only calls): from = the Approved version in stage Production (else the one the endpoint
     * serves); to = {@code to} (version number or ARN) or else the newest Approved version older than {@code from}.
     */
    public Plan plan(String stackName, String group, Optional<String> to, String executionId) {
        if (!ID.matcher(executionId).matches()) {
            throw new RollbackException("rollback id '" + executionId + "' is not valid as the endpoint template's "
                    + EXECUTION_ID + ": use 1-36 characters of [a-zA-Z0-9-], starting and ending with a letter or digit");
        }
        Stack stack = stack(stackName);
        if (stack.parameters().stream().noneMatch(p -> MODEL_PACKAGE_ARN.equals(p.parameterKey()))
                || stack.parameters().stream().noneMatch(p -> EXECUTION_ID.equals(p.parameterKey()))) {
            throw new RollbackException("stack " + stackName + " has no parameters " + MODEL_PACKAGE_ARN + " and "
                    + EXECUTION_ID + "; it is not the endpoint stack of this pipeline (pass --project)");
        }
        String status = stack.stackStatusAsString();
        if (!UPDATABLE.contains(status)) {
            throw new RollbackException("stack " + stackName + " is " + status + "; a rollback starts only from "
                    + String.join(", ", UPDATABLE.stream().sorted().toList()) + ". Wait for the running deployment (the "
                    + "pipeline's DeployPrd?) to end, or fix the stack, then run bin/rollback again.");
        }
        String endpoint = endpointName(stackName);
        String configName = endpoint + "-" + executionId;
        if (configName.length() > MAX_NAME) {
            throw new RollbackException("endpoint config name " + configName + " would have " + configName.length()
                    + " characters, SageMaker allows " + MAX_NAME + "; pass a shorter --id");
        }
        Optional<String> served = servedPackage(endpoint);
        List<Version> versions = approved(group, served);
        if (versions.isEmpty()) {
            throw new RollbackException("model package group " + group + " has no Approved version; nothing to roll "
                    + "back to. Check --project/--model.");
        }
        int fromIndex = -1;
        for (int i = 0; i < versions.size() && fromIndex < 0; i++) {
            if (LifeCycle.PRODUCTION.stage().equals(versions.get(i).stage())) {
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
            target = versions.stream().filter(v -> v.version().equals(wanted) || v.arn().equalsIgnoreCase(wanted))
                    .findFirst().orElseThrow(() -> new RollbackException("--to " + wanted + " is not an Approved version of "
                            + group + "; Approved versions: " + String.join(", ", versions.stream().map(Version::version)
                                    .toList()) + " (see --list)"));
            if (target.arn().equals(from.arn())) {
                throw new RollbackException("--to " + wanted + " is version " + from.version() + ", the one being rolled "
                        + "back from; choose another (see --list)");
            }
        } else {
            if (fromIndex + 1 >= versions.size()) {
                throw new RollbackException("no Approved version of " + group + " is older than version "
                        + from.version() + " (" + from.stage() + "); nothing to roll back to. Choose one with --to (see --list).");
            }
            target = versions.get(fromIndex + 1);
        }
        List<String> warnings = new ArrayList<>();
        if (!from.serving()) {
            warnings.add("the registry has version " + from.version() + " in Production but " + endpoint + " serves "
                    + served.orElse("no model package") + "; the rollback replaces whatever it serves");
        }
        if (target.serving()) {
            warnings.add("version " + target.version() + " is what " + endpoint + " serves already; the update redeploys it "
                    + "under a new config and fixes the registry");
        }
        return new Plan(stackName, endpoint, group, from, target, executionId, configName, List.copyOf(warnings));
    }

    /**
     * Carries the plan out: UpdateStack, wait, verify the endpoint, then the registry (the chosen version to
     * Production, the bad one Rejected with {@code reason}). Returns a one-line summary.
     */
    public String execute(Plan plan, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new RollbackException("a reason is required: it becomes the bad version's ApprovalDescription");
        }
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
        // No Capabilities: the endpoint stack creates no IAM resources (the pipeline's DeployPrd action passes none).
        // No RoleARN: CloudFormation uses the role previously associated with the stack (the pipeline's deploy role).
        // ClientRequestToken: a retried request of the same rollback is not a second update.
        cloudFormation.updateStack(r -> r.stackName(plan.stack()).usePreviousTemplate(true).parameters(parameters)
                .clientRequestToken(plan.executionId()));
        String status = waitForUpdate(plan.stack());
        if (!"UPDATE_COMPLETE".equals(status)) {
            String after = "UPDATE_ROLLBACK_COMPLETE".equals(status)
                    ? "CloudFormation rolled the stack back to the previous deployment"
                    : "the stack needs attention (see its events; UPDATE_ROLLBACK_FAILED needs ContinueUpdateRollback)";
            throw new RollbackException("stack " + plan.stack() + " ended in " + status + ", not UPDATE_COMPLETE: the "
                    + "rollback to version " + plan.to().version() + " failed and " + after + ". The registry is unchanged. "
                    + "See the stack's events in the CloudFormation console, fix the cause and run bin/rollback again.");
        }
        DescribeEndpointResponse e = sageMaker.describeEndpoint(r -> r.endpointName(plan.endpoint()));
        Optional<String> served = plan.configName().equals(e.endpointConfigName())
                ? packageOfConfig(e.endpointConfigName()) : Optional.empty();
        if (!plan.configName().equals(e.endpointConfigName()) || !"InService".equals(e.endpointStatusAsString())
                || served.filter(p -> samePackage(p, plan.to().arn())).isEmpty()) {
            throw new RollbackException("stack " + plan.stack() + " is UPDATE_COMPLETE but endpoint " + plan.endpoint()
                    + " is " + e.endpointStatusAsString() + " with config " + e.endpointConfigName()
                    + (served.isPresent() ? " serving " + served.get() : "") + ", expected InService with " + plan.configName()
                    + " serving " + plan.to().arn() + " (SageMaker may have rolled the canary back on an alarm). The "
                    + "registry is unchanged; check the endpoint's alarms and events.");
        }
        String note = "Rolled back from version " + plan.from().version() + " by bin/rollback (" + plan.executionId() + ")";
        try {
            registry.recordProduction(plan.group(), plan.to().arn(), note);
            reject(plan, reason);
        } catch (AwsServiceException registryError) {
            // The endpoint serves the chosen version; only the registry record is incomplete. A re-run would plan from
            // the restored version, so say exactly what to finish by hand.
            throw new RollbackException("endpoint " + plan.endpoint() + " serves version " + plan.to().version()
                    + " (config " + plan.configName() + "), but recording it in the registry failed ("
                    + AwsErrors.codeAndMessage(registryError) + "). Finish by hand: aws sagemaker update-model-package "
                    + "--model-package-arn " + plan.to().arn() + " --model-life-cycle Stage=Production,StageStatus=Deployed; "
                    + "aws sagemaker update-model-package --model-package-arn " + plan.from().arn()
                    + " --model-approval-status Rejected --approval-description '<reason>' "
                    + "--model-life-cycle Stage=Rejected,StageStatus=Rejected");
        }
        return "endpoint " + plan.endpoint() + " serves version " + plan.to().version() + " (config " + plan.configName()
                + "); registry: version " + plan.to().version() + " Production, version " + plan.from().version()
                + " Rejected";
    }

    /** Marks the bad version Rejected: ModelApprovalStatus Rejected, ApprovalDescription, ModelLifeCycle Rejected. */
    void reject(Plan plan, String reason) {
        String description = reason.length() <= MAX_APPROVAL_DESCRIPTION ? reason
                : reason.substring(0, MAX_APPROVAL_DESCRIPTION - 3) + "...";
        sageMaker.updateModelPackage(r -> r.modelPackageArn(plan.from().arn())
                .modelApprovalStatus(ModelApprovalStatus.REJECTED)
                .approvalDescription(description)
                .modelLifeCycle(LifeCycle.REJECTED.with("Rolled back to version " + plan.to().version() + " by bin/rollback ("
                        + plan.executionId() + "): " + reason)));
    }

    private String waitForUpdate(String stackName) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            String status = stack(stackName).stackStatusAsString();
            // UPDATE_COMPLETE_CLEANUP_IN_PROGRESS and UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS end in _IN_PROGRESS too.
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

    /**
     * Whether a model's ModelPackageName (an ARN, or {@code <group>/<version>}) names the package {@code arn}.
     * SageMaker writes names in ARNs lower-case, so ARNs compare case-insensitively.
     */
    static boolean samePackage(String packageName, String arn) {
        String name = packageName.toLowerCase(Locale.ROOT);
        String a = arn.toLowerCase(Locale.ROOT);
        return name.equals(a) || !name.startsWith("arn:") && name.contains("/") && a.endsWith(":model-package/" + name);
    }
}
