package io.mlops.lambdas.modelgroup;

import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.core.JsonStreamHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageGroupResponse;
import software.amazon.awssdk.services.sagemaker.model.ListModelPackagesResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageGroupSummary;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSummary;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/**
 * <b>ModelGroup</b>: CloudFormation custom resource (CDK Provider framework {@code onEvent}) that owns
 * the SageMaker model package group every evaluated model is registered in.
 *
 * <ul>
 * <li><b>Create</b>: CreateModelPackageGroup (name, description, tags). If a group of that name already
 * exists (ListModelPackageGroups, exact name: SageMaker documents no "already exists" error code) it is
 * adopted instead: described, the requested tags added, and returned.</li>
 * <li><b>Update</b>: a new {@code GroupName} creates (or adopts) the new group and returns its name as
 * the new physical id; CloudFormation then sends Delete for the old one (with the old properties,
 * so the old {@code PurgeOnDelete} decides). Same name: tags are reconciled against the previous
 * properties (AddTags for new or changed, DeleteTags for removed keys; tags set outside the stack are
 * left alone). The <b>description is create-only</b>: SageMaker has no API to change it, so a
 * changed {@code Description} leaves the group as it is and returns a {@code Warning} attribute (and
 * logs it) instead of pretending; rename the group to get a new description.</li>
 * <li><b>Delete</b>: by default keeps the group and all its model versions (they are the audit trail
 * of what was deployed). With {@code PurgeOnDelete=true}: lists every model package of the group (all
 * approval statuses, paginated), deletes each, then deletes the group. A group already gone
 * (ListModelPackageGroups, exact name) counts as deleted; no error message is parsed. A Delete whose physical id is not a group name (a Create that failed
 * before creating anything) succeeds without calls.</li>
 * </ul>
 *
 * <p><b>Properties</b> (strings): {@code GroupName} (required), {@code Description} (optional),
 * {@code Tags} (optional list of {@code {Key, Value}}), {@code PurgeOnDelete} ({@code "true"}/{@code "false"},
 * default {@code "false"}). Unknown properties fail.
 *
 * <p><b>Returns</b>: PhysicalResourceId = group name; Data {@code ModelPackageGroupName},
 * {@code ModelPackageGroupArn}, and {@code Warning} when something requested could not be applied.
 * Failures are thrown with a message naming what, where and the fix; the Provider framework reports
 * it to CloudFormation as the FAILED reason.
 *
 * <p><b>Environment</b>: only {@code AWS_REGION} (set by Lambda).
 *
 * <p><b>IAM</b>: {@code sagemaker:CreateModelPackageGroup}, {@code sagemaker:DescribeModelPackageGroup},
 * {@code sagemaker:DeleteModelPackageGroup}, {@code sagemaker:AddTags}, {@code sagemaker:DeleteTags} on
 * {@code arn:aws:sagemaker:<region>:<account>:model-package-group/<group>};
 * {@code sagemaker:ListModelPackages}, {@code sagemaker:ListModelPackageGroups} ({@code *}); {@code sagemaker:DeleteModelPackage} on
 * {@code arn:aws:sagemaker:<region>:<account>:model-package/<group>/*}.
 */
public final class ModelGroupHandler extends JsonStreamHandler<CustomResourceEvent, CustomResourceResponse> {
    static final String DATA_NAME = "ModelPackageGroupName";
    static final String DATA_ARN = "ModelPackageGroupArn";
    static final String DATA_WARNING = "Warning";
    /** Bound on ListModelPackages pages during a purge (100 packages each). */
    static final int MAX_PAGES = 1000;

    /**
     * What the handler works with: the SageMaker client (built once per container). This function reads
     * no environment besides the region. Tests build it with {@link #of} on a client pointed at a local stub.
     */
    public record Deps(SageMakerClient sageMaker) {
        public Deps {
            Objects.requireNonNull(sageMaker, "sageMaker");
        }

        /** Lambda: the client (region, credentials) from the function's environment. */
        static Deps of(HandlerEnv env) {
            return of(ClientFactory.fromEnv(env));
        }

        /** The client from {@code clients}. */
        public static Deps of(ClientFactory clients) {
            return new Deps(clients.sageMaker());
        }
    }

    private final SageMakerClient sageMaker;

    /** Lambda entry point: the client is built once per container. */
    public ModelGroupHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    /** Tests and wiring: an explicit client. */
    public ModelGroupHandler(Deps deps) {
        super(CustomResourceEvent.class);
        this.sageMaker = deps.sageMaker();
    }

    /** A failure CloudFormation shows as the resource's FAILED reason. */
    public static final class ModelGroupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ModelGroupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Group(String name, String arn) {
    }

    @Override
    public CustomResourceResponse handle(CustomResourceEvent event, Context context) {
        HandlerLog log = new HandlerLog("ModelGroup", context);
        if (event == null || event.requestType() == null) {
            throw new IllegalArgumentException("not a CloudFormation custom resource event: 'RequestType' is missing. "
                    + "This function is the onEvent handler of the ModelGroup custom resource provider.");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("requestType", event.requestType());
        fields.put("logicalResourceId", String.valueOf(event.logicalResourceId()));
        fields.put("physicalResourceId", String.valueOf(event.physicalResourceId()));
        log.info("custom resource event", fields);
        String target = event.requestType().equals("Delete") ? event.physicalResourceId()
                : String.valueOf(event.resourceProperties().get("GroupName"));
        try {
            return switch (event.requestType()) {
                case "Create" -> create(event, log);
                case "Update" -> update(event, log);
                case "Delete" -> delete(event, log);
                default -> throw new IllegalArgumentException("unknown RequestType '" + event.requestType()
                        + "'; CloudFormation sends Create, Update or Delete");
            };
        } catch (AwsServiceException e) {
            log.error("SageMaker call failed", e);
            throw new ModelGroupException(describe(event.requestType(), target, e), e);
        } catch (SdkClientException e) {
            log.error("SageMaker unreachable", e);
            throw new ModelGroupException("ModelGroup " + event.requestType() + " of '" + target + "' could not reach "
                    + "SageMaker: " + e.getMessage() + ". This is usually transient: retry the deployment.", e);
        }
    }

    // ---------------------------------------------------------------- Create

    private CustomResourceResponse create(CustomResourceEvent event, HandlerLog log) {
        ModelGroupProperties props = ModelGroupProperties.parse(event.resourceProperties());
        List<String> warnings = new ArrayList<>();
        Group group = createOrAdopt(props, warnings, log);
        return response(group, warnings, log);
    }

    /**
     * Adopts the group when one of that exact name exists (found by listing: SageMaker documents no
     * "already exists" error code for CreateModelPackageGroup), else creates it. A create that still
     * fails (a group created in between, a limit) fails with SageMaker's code and message.
     */
    private Group createOrAdopt(ModelGroupProperties props, List<String> warnings, HandlerLog log) {
        String name = props.groupName();
        Optional<ModelPackageGroupSummary> found = ModelPackageGroups.find(sageMaker, name);
        if (found.isEmpty()) {
            String arn = sageMaker.createModelPackageGroup(r -> {
                r.modelPackageGroupName(name).modelPackageGroupDescription(props.description());
                if (!props.tags().isEmpty()) {
                    r.tags(tags(props.tags()));
                }
            }).modelPackageGroupArn();
            log.info("created model package group", Map.of("group", name, "arn", arn));
            return new Group(name, arn);
        }
        log.info("model package group already exists; adopting it", Map.of("group", name,
                "arn", found.get().modelPackageGroupArn()));
        DescribeModelPackageGroupResponse existing = sageMaker.describeModelPackageGroup(r -> r.modelPackageGroupName(name));
        if (!props.tags().isEmpty()) {
            sageMaker.addTags(r -> r.resourceArn(existing.modelPackageGroupArn()).tags(tags(props.tags())));
        }
        if (props.description() != null) {
            checkDescription(props, existing, warnings);
        }
        return new Group(name, existing.modelPackageGroupArn());
    }

    // ---------------------------------------------------------------- Update

    private CustomResourceResponse update(CustomResourceEvent event, HandlerLog log) {
        ModelGroupProperties props = ModelGroupProperties.parse(event.resourceProperties());
        List<String> warnings = new ArrayList<>();
        String current = event.physicalResourceId();
        if (!props.groupName().equals(current)) {
            log.info("GroupName changed: creating or adopting the new group; CloudFormation deletes the old one next",
                    Map.of("old", String.valueOf(current), "new", props.groupName()));
            return response(createOrAdopt(props, warnings, log), warnings, log);
        }
        Optional<DescribeModelPackageGroupResponse> existing = ModelPackageGroups.find(sageMaker, props.groupName())
                .map(g -> sageMaker.describeModelPackageGroup(r -> r.modelPackageGroupName(props.groupName())));
        if (existing.isEmpty()) {
            warnings.add("model package group '" + props.groupName() + "' had been deleted outside CloudFormation and was "
                    + "created again (empty)");
            return response(createOrAdopt(props, warnings, log), warnings, log);
        }
        String arn = existing.get().modelPackageGroupArn();
        Map<String, String> before = ModelGroupProperties.tagsLenient(event.oldResourceProperties());
        Map<String, String> toAdd = new LinkedHashMap<>();
        props.tags().forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                toAdd.put(k, v);
            }
        });
        List<String> toRemove = before.keySet().stream().filter(k -> !props.tags().containsKey(k)).toList();
        if (!toAdd.isEmpty()) {
            sageMaker.addTags(r -> r.resourceArn(arn).tags(tags(toAdd)));
        }
        if (!toRemove.isEmpty()) {
            sageMaker.deleteTags(r -> r.resourceArn(arn).tagKeys(toRemove));
        }
        log.info("tags reconciled", Map.of("added", toAdd.keySet(), "removed", toRemove));
        String oldDescription = ModelGroupProperties.descriptionLenient(event.oldResourceProperties());
        if (!Objects.equals(oldDescription, props.description())) {
            checkDescription(props, existing.get(), warnings);
        }
        return response(new Group(props.groupName(), arn), warnings, log);
    }

    /**
     * SageMaker cannot change a group's description: when the requested one differs from the group's,
     * say so instead of pretending.
     */
    private static void checkDescription(ModelGroupProperties props, DescribeModelPackageGroupResponse actual,
            List<String> warnings) {
        String want = props.description() == null ? "" : props.description();
        String have = actual.modelPackageGroupDescription() == null ? "" : actual.modelPackageGroupDescription().trim();
        if (!want.equals(have)) {
            warnings.add("Description is create-only: SageMaker has no API to change a model package group's "
                    + "description, so group '" + props.groupName() + "' keeps '" + have + "' (requested '" + want
                    + "'). To change it, give the group a new GroupName (CloudFormation replaces it)");
        }
    }

    // ---------------------------------------------------------------- Delete

    private CustomResourceResponse delete(CustomResourceEvent event, HandlerLog log) {
        String name = event.physicalResourceId();
        if (name == null || !ModelGroupProperties.GROUP_NAME.matcher(name).matches()) {
            log.info("physical id is not a model package group name (the Create failed before creating one); "
                    + "nothing to delete", Map.of("physicalResourceId", String.valueOf(name)));
            return new CustomResourceResponse(name, Map.of());
        }
        if (!ModelGroupProperties.purgeLenient(event.resourceProperties())) {
            log.info("PurgeOnDelete is not \"true\": keeping the model package group and its versions",
                    Map.of("group", name));
            return new CustomResourceResponse(name, Map.of(DATA_NAME, name));
        }
        if (ModelPackageGroups.find(sageMaker, name).isEmpty()) {
            log.info("model package group is already gone", Map.of("group", name));
            return new CustomResourceResponse(name, Map.of(DATA_NAME, name));
        }
        List<String> arns = new ArrayList<>();
        String token = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            String next = token;
            ListModelPackagesResponse list = sageMaker.listModelPackages(r -> r.modelPackageGroupName(name)
                    .maxResults(100).nextToken(next));
            list.modelPackageSummaryList().stream().map(ModelPackageSummary::modelPackageArn).forEach(arns::add);
            token = list.nextToken();
            if (token == null || token.isBlank()) {
                break;
            }
        }
        // Each listed package exists; a failure to delete one (ConflictException: in use) fails the Delete.
        for (String arn : arns) {
            sageMaker.deleteModelPackage(r -> r.modelPackageName(arn));
        }
        log.info("deleted model packages", Map.of("group", name, "deleted", arns.size()));
        sageMaker.deleteModelPackageGroup(r -> r.modelPackageGroupName(name));
        log.info("deleted model package group", Map.of("group", name));
        return new CustomResourceResponse(name, Map.of(DATA_NAME, name));
    }

    // ---------------------------------------------------------------- helpers

    private static CustomResourceResponse response(Group group, List<String> warnings, HandlerLog log) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(DATA_NAME, group.name());
        data.put(DATA_ARN, group.arn());
        if (!warnings.isEmpty()) {
            String warning = String.join("; ", warnings);
            log.info("WARNING: " + warning, Map.of("group", group.name()));
            data.put(DATA_WARNING, warning);
        }
        return new CustomResourceResponse(group.name(), data);
    }

    private static List<Tag> tags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    private static String describe(String requestType, String target, AwsServiceException e) {
        String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "an error"
                : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null ? e.getMessage()
                : e.awsErrorDetails().errorMessage();
        String hint;
        if (e.statusCode() == 403 || String.valueOf(code).contains("AccessDenied")) {
            hint = " The provider function's role lacks a permission: see the ModelGroup IAM actions in lambdas/README.md.";
        } else if (e.isThrottlingException() || e.statusCode() >= 500) {
            hint = " SageMaker was unavailable or throttled after retries: retry the deployment.";
        } else {
            hint = " Fix the ModelGroup resource's properties or the group in SageMaker, then deploy again.";
        }
        return "ModelGroup " + requestType + " of '" + target + "' failed: SageMaker returned " + code + " (HTTP "
                + e.statusCode() + ", request id " + e.requestId() + "): " + message + "." + hint;
    }
}
