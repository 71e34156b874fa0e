package io.mlops.lambdas.modelgroup;

import static io.mlops.lambdas.testing.Fixtures.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlops.lambdas.evaluation.SageMakerStubs;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ModelGroupHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String GROUP_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/" + GROUP;
    static final String DESCRIPTION = "Bank marketing subscription classifier, registered by the mlops pipeline";
    static final String CREATE_GROUP = "SageMaker.CreateModelPackageGroup";
    static final String DESCRIBE_GROUP = "SageMaker.DescribeModelPackageGroup";
    static final String DELETE_GROUP = "SageMaker.DeleteModelPackageGroup";
    static final String ADD_TAGS = "SageMaker.AddTags";
    static final String DELETE_TAGS = "SageMaker.DeleteTags";
    static final String LIST_PACKAGES = "SageMaker.ListModelPackages";
    static final String DELETE_PACKAGE = "SageMaker.DeleteModelPackage";
    static final String LIST_GROUPS = "SageMaker.ListModelPackageGroups";

    /** By default no group of that name exists; tests that need one stub {@link #groupExists()}. */
    @BeforeEach
    void noGroup() {
        aws.ok(LIST_GROUPS, SageMakerStubs.groups(GROUP + "-old"));
    }

    static void groupExists() {
        aws.ok(LIST_GROUPS, SageMakerStubs.groups(GROUP + "-old", GROUP));
    }

    static JsonNode invoke(String event) {
        String out = Fixtures.invoke(new ModelGroupHandler(ModelGroupHandler.Deps.of(aws.clients())), event, new TestContext());
        try {
            return Fixtures.tree(out);
        } catch (RuntimeException e) {
            throw new AssertionError("handler wrote no JSON object: '" + out + "'", e);
        }
    }

    static String event(String fixture, Consumer<ObjectNode> change) {
        ObjectNode root = Fixtures.tree(Fixtures.event(fixture));
        change.accept(root);
        return root.toString();
    }

    static ObjectNode props(ObjectNode root) {
        return (ObjectNode) root.path("ResourceProperties");
    }

    static Map<String, String> tags(JsonNode tags) {
        Map<String, String> out = new HashMap<>();
        tags.forEach(t -> out.put(t.path("Key").asText(), t.path("Value").asText()));
        return out;
    }

    static String describeGroup(String description) {
        return "{\"ModelPackageGroupName\":\"" + GROUP + "\",\"ModelPackageGroupArn\":\"" + GROUP_ARN + "\","
                + "\"ModelPackageGroupDescription\":\"" + description + "\",\"CreationTime\":1763800000,"
                + "\"ModelPackageGroupStatus\":\"Completed\"}";
    }

    static String packageArn(int version) {
        return "arn:aws:sagemaker:us-east-1:123456789012:model-package/" + GROUP + "/" + version;
    }

    static String page(String nextToken, int... versions) {
        StringBuilder items = new StringBuilder();
        String[] statuses = {"Approved", "Rejected", "PendingManualApproval"};
        for (int v : versions) {
            items.append(items.length() == 0 ? "" : ",").append("{\"ModelPackageGroupName\":\"").append(GROUP)
                    .append("\",\"ModelPackageVersion\":").append(v).append(",\"ModelPackageArn\":\"").append(packageArn(v))
                    .append("\",\"CreationTime\":1763800000,\"ModelPackageStatus\":\"Completed\",\"ModelApprovalStatus\":\"")
                    .append(statuses[v % 3]).append("\"}");
        }
        return "{\"ModelPackageSummaryList\":[" + items + "]" + (nextToken == null ? "" : ",\"NextToken\":\"" + nextToken + "\"") + "}";
    }

    static List<String> sageMakerTargets() {
        return aws.allRequests().stream().map(r -> r.getHeader("X-Amz-Target")).filter(t -> t != null && t.startsWith("SageMaker.")).toList();
    }

    // ------------------------------------------------------------------ Create

    @Test
    void createsTheGroupWithDescriptionAndTagsAndReturnsNameAndArn() {
        aws.ok(CREATE_GROUP, "{\"ModelPackageGroupArn\":\"" + GROUP_ARN + "\"}");

        JsonNode response = invoke(Fixtures.event("model-group-create.json"));

        JsonNode create = aws.onlyRequest(CREATE_GROUP);
        assertThat(create.path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
        assertThat(create.path("ModelPackageGroupDescription").asText()).isEqualTo(DESCRIPTION);
        assertThat(tags(create.path("Tags"))).containsExactlyInAnyOrderEntriesOf(Map.of("project", "mlops", "owner", "data-science"));
        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(GROUP);
        assertThat(response.path("Data").path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
        assertThat(response.path("Data").path("ModelPackageGroupArn").asText()).isEqualTo(GROUP_ARN);
        assertThat(response.path("Data").has("Warning")).isFalse();
        assertThat(response.size()).as("only the Provider framework's keys: %s", response).isEqualTo(2);
        assertThat(sageMakerTargets()).containsExactly(LIST_GROUPS, CREATE_GROUP);
        assertThat(aws.onlyRequest(LIST_GROUPS).path("NameContains").asText()).isEqualTo(GROUP);
    }

    @Test
    void createsWithoutOptionalProperties() {
        aws.ok(CREATE_GROUP, "{\"ModelPackageGroupArn\":\"" + GROUP_ARN + "\"}");

        invoke(event("model-group-create.json", root -> props(root).remove(List.of("Description", "Tags", "PurgeOnDelete"))));

        JsonNode create = aws.onlyRequest(CREATE_GROUP);
        assertThat(create.has("Tags")).isFalse();
        assertThat(create.has("ModelPackageGroupDescription")).isFalse();
    }

    @Test
    void adoptsAnExistingGroupOfTheSameNameInsteadOfFailing() {
        groupExists();
        aws.ok(DESCRIBE_GROUP, describeGroup(DESCRIPTION));
        aws.ok(ADD_TAGS, "{\"Tags\":[]}");

        JsonNode response = invoke(Fixtures.event("model-group-create.json"));

        assertThat(aws.count(CREATE_GROUP)).as("SageMaker documents no 'already exists' code: never create to find out").isZero();
        assertThat(aws.onlyRequest(DESCRIBE_GROUP).path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
        JsonNode addTags = aws.onlyRequest(ADD_TAGS);
        assertThat(addTags.path("ResourceArn").asText()).isEqualTo(GROUP_ARN);
        assertThat(tags(addTags.path("Tags"))).containsExactlyInAnyOrderEntriesOf(Map.of("project", "mlops", "owner", "data-science"));
        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(GROUP);
        assertThat(response.path("Data").path("ModelPackageGroupArn").asText()).isEqualTo(GROUP_ARN);
        assertThat(response.path("Data").has("Warning")).isFalse();
    }

    @Test
    void adoptsAndWarnsThatTheExistingDescriptionStays() {
        groupExists();
        aws.ok(DESCRIBE_GROUP, describeGroup("made by hand"));
        aws.ok(ADD_TAGS, "{\"Tags\":[]}");

        JsonNode response = invoke(Fixtures.event("model-group-create.json"));

        assertThat(response.path("Data").path("ModelPackageGroupArn").asText()).isEqualTo(GROUP_ARN);
        assertThat(response.path("Data").path("Warning").asText()).contains("create-only", "keeps 'made by hand'", DESCRIPTION);
    }

    @Test
    void failsWithTheServiceMessageWhenAGroupCreatedInBetweenMakesCreateFail() {
        aws.error(CREATE_GROUP, 400, "ValidationException", "Model Package Group already exists: " + GROUP_ARN);

        assertThatThrownBy(() -> invoke(Fixtures.event("model-group-create.json")))
                .isInstanceOf(ModelGroupHandler.ModelGroupException.class)
                .hasMessageContaining("ValidationException").hasMessageContaining("already exists")
                .hasMessageContaining("deploy again");
        assertThat(aws.count(DESCRIBE_GROUP)).isZero();
    }

    @Test
    void failsWithTheServiceMessageWhenCreateIsRejectedForAnotherReason() {
        aws.error(CREATE_GROUP, 400, "ValidationException", "1 validation error detected: Value at 'tags.1.member.key' failed");

        assertThatThrownBy(() -> invoke(Fixtures.event("model-group-create.json")))
                .isInstanceOf(ModelGroupHandler.ModelGroupException.class)
                .hasMessageContaining("ModelGroup Create of '" + GROUP + "' failed")
                .hasMessageContaining("ValidationException").hasMessageContaining("tags.1.member.key")
                .hasMessageContaining("request id req-ValidationException");
        assertThat(aws.count(DESCRIBE_GROUP)).isZero();
    }

    @Test
    void failsWithAPermissionHintWhenAccessIsDenied() {
        aws.error(CREATE_GROUP, 400, "AccessDeniedException", "User is not authorized to perform: sagemaker:CreateModelPackageGroup");

        assertThatThrownBy(() -> invoke(Fixtures.event("model-group-create.json")))
                .hasMessageContaining("sagemaker:CreateModelPackageGroup").hasMessageContaining("lambdas/README.md");
    }

    @Test
    void retriesAThrottledCreate() {
        aws.throttleOnceThen(CREATE_GROUP, "{\"ModelPackageGroupArn\":\"" + GROUP_ARN + "\"}");

        JsonNode response = invoke(Fixtures.event("model-group-create.json"));

        assertThat(aws.count(CREATE_GROUP)).isEqualTo(2);
        assertThat(response.path("Data").path("ModelPackageGroupArn").asText()).isEqualTo(GROUP_ARN);
    }

    @Test
    void failsListingEveryPropertyProblemAtOnce() {
        String event = event("model-group-create.json", root -> {
            props(root).put("GroupName", "mlops_models");
            props(root).put("PurgeOnDelete", "yes");
            props(root).put("Retain", "true");
            ((ArrayNode) props(root).path("Tags")).addObject().put("Key", "aws:owner").put("Value", "x");
        });

        assertThatThrownBy(() -> invoke(event)).isInstanceOf(ModelGroupProperties.InvalidPropertiesException.class)
                .hasMessageContaining("GroupName 'mlops_models' is not a valid model package group name")
                .hasMessageContaining("PurgeOnDelete must be \"true\" or \"false\", got 'yes'")
                .hasMessageContaining("unknown property [Retain]")
                .hasMessageContaining("'aws:owner' uses the reserved prefix")
                .hasMessageContaining("deploy again");
        assertThat(sageMakerTargets()).isEmpty();
    }

    @Test
    void failsWhenGroupNameIsMissingOrTagsAreMalformed() {
        assertThatThrownBy(() -> invoke(event("model-group-create.json", root -> props(root).remove("GroupName"))))
                .hasMessageContaining("GroupName is required");
        assertThatThrownBy(() -> invoke(event("model-group-create.json", root -> props(root).put("Tags", "project=mlops"))))
                .hasMessageContaining("Tags must be a list");
        assertThatThrownBy(() -> invoke(event("model-group-create.json",
                root -> props(root).put("GroupName", "a".repeat(64))))).hasMessageContaining("not a valid model package group name");
        assertThat(sageMakerTargets()).isEmpty();
    }

    @Test
    void failsTheInvocationForAnEventThatIsNotACustomResourceEvent() {
        assertThatThrownBy(() -> invoke("{\"CodePipeline.job\":{\"id\":\"x\"}}")).hasMessageContaining("'RequestType' is missing");
        assertThatThrownBy(() -> invoke(event("model-group-create.json", root -> root.put("RequestType", "Replace"))))
                .hasMessageContaining("unknown RequestType 'Replace'");
    }

    // ------------------------------------------------------------------ Update

    @Test
    void updateAddsNewAndChangedTagsAndRemovesDroppedOnes() {
        groupExists();
        aws.ok(DESCRIBE_GROUP, describeGroup(DESCRIPTION));
        aws.ok(ADD_TAGS, "{\"Tags\":[]}");
        aws.ok(DELETE_TAGS, "{}");

        JsonNode response = invoke(Fixtures.event("model-group-update.json"));

        JsonNode add = aws.onlyRequest(ADD_TAGS);
        assertThat(add.path("ResourceArn").asText()).isEqualTo(GROUP_ARN);
        assertThat(tags(add.path("Tags"))).containsExactlyInAnyOrderEntriesOf(Map.of("owner", "ml-platform", "cost-center", "4711"));
        JsonNode delete = aws.onlyRequest(DELETE_TAGS);
        assertThat(delete.path("ResourceArn").asText()).isEqualTo(GROUP_ARN);
        assertThat(delete.path("TagKeys").toString()).isEqualTo("[\"team\"]");
        assertThat(aws.count(CREATE_GROUP)).isZero();
        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(GROUP);
        assertThat(response.path("Data").path("ModelPackageGroupArn").asText()).isEqualTo(GROUP_ARN);
        assertThat(response.path("Data").has("Warning")).isFalse();
    }

    @Test
    void updateWithUnchangedTagsMakesNoTagCalls() {
        groupExists();
        aws.ok(DESCRIBE_GROUP, describeGroup(DESCRIPTION));

        invoke(event("model-group-update.json", root -> root.set("OldResourceProperties", props(root).deepCopy())));

        assertThat(sageMakerTargets()).containsExactly(LIST_GROUPS, DESCRIBE_GROUP);
    }

    @Test
    void updateOfTheDescriptionSaysItIsCreateOnlyInsteadOfPretending() {
        groupExists();
        aws.ok(DESCRIBE_GROUP, describeGroup(DESCRIPTION));
        aws.ok(ADD_TAGS, "{\"Tags\":[]}");
        aws.ok(DELETE_TAGS, "{}");

        JsonNode response = invoke(event("model-group-update.json",
                root -> props(root).put("Description", "Term deposit propensity model")));

        String warning = response.path("Data").path("Warning").asText();
        assertThat(warning).contains("Description is create-only", "keeps '" + DESCRIPTION + "'",
                "requested 'Term deposit propensity model'", "new GroupName");
        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(GROUP);
        assertThat(sageMakerTargets()).doesNotContain(CREATE_GROUP, DELETE_GROUP);
    }

    @Test
    void updateWithANewGroupNameCreatesTheNewGroupAndReturnsItsId() {
        String newArn = "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/mlops-bank-marketing-v2";
        aws.ok(CREATE_GROUP, "{\"ModelPackageGroupArn\":\"" + newArn + "\"}");

        JsonNode response = invoke(event("model-group-update.json",
                root -> props(root).put("GroupName", "mlops-bank-marketing-v2")));

        assertThat(aws.onlyRequest(CREATE_GROUP).path("ModelPackageGroupName").asText()).isEqualTo("mlops-bank-marketing-v2");
        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo("mlops-bank-marketing-v2");
        assertThat(response.path("Data").path("ModelPackageGroupArn").asText()).isEqualTo(newArn);
        assertThat(sageMakerTargets()).doesNotContain(DELETE_GROUP, DELETE_TAGS);
    }

    @Test
    void updateRecreatesAGroupDeletedOutsideCloudFormationAndSaysSo() {
        aws.ok(CREATE_GROUP, "{\"ModelPackageGroupArn\":\"" + GROUP_ARN + "\"}");

        JsonNode response = invoke(Fixtures.event("model-group-update.json"));

        assertThat(aws.count(DESCRIBE_GROUP)).isZero();

        assertThat(aws.onlyRequest(CREATE_GROUP).path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
        assertThat(response.path("Data").path("Warning").asText()).contains("deleted outside CloudFormation");
    }

    // ------------------------------------------------------------------ Delete

    @Test
    void deleteKeepsTheGroupAndItsVersionsByDefault() {
        JsonNode response = invoke(Fixtures.event("model-group-delete.json"));

        assertThat(sageMakerTargets()).isEmpty();
        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(GROUP);
    }

    @Test
    void deleteWithPurgeDeletesEveryPackageOfEveryStatusAcrossPagesThenTheGroup() {
        groupExists();
        SageMakerStubs.okWhenBodyLacks(aws, LIST_PACKAGES, "NextToken", page("page-2", 1, 2, 3));
        SageMakerStubs.okWhenBodyContains(aws, LIST_PACKAGES, "\"NextToken\":\"page-2\"", page(null, 4, 5));
        aws.ok(DELETE_PACKAGE, "{}");
        aws.ok(DELETE_GROUP, "{}");

        JsonNode response = invoke(event("model-group-delete.json", root -> props(root).put("PurgeOnDelete", "true")));

        List<JsonNode> lists = aws.requests(LIST_PACKAGES);
        assertThat(lists).hasSize(2);
        assertThat(lists).allSatisfy(l -> {
            assertThat(l.path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
            assertThat(l.has("ModelApprovalStatus")).as("no approval filter: %s", l).isFalse();
        });
        assertThat(lists.get(1).path("NextToken").asText()).isEqualTo("page-2");
        assertThat(aws.requests(DELETE_PACKAGE)).extracting(r -> r.path("ModelPackageName").asText())
                .containsExactly(packageArn(1), packageArn(2), packageArn(3), packageArn(4), packageArn(5));
        assertThat(aws.onlyRequest(DELETE_GROUP).path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
        List<String> order = sageMakerTargets();
        assertThat(order.lastIndexOf(DELETE_PACKAGE)).isLessThan(order.indexOf(DELETE_GROUP));
        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(GROUP);
    }

    @Test
    void purgeFailsWithTheServiceMessageWhenAPackageCannotBeDeleted() {
        groupExists();
        aws.ok(LIST_PACKAGES, page(null, 1, 2));
        aws.ok(DELETE_PACKAGE, "{}");
        SageMakerStubs.errorWhenBodyContains(aws, DELETE_PACKAGE, packageArn(1), 400, "ConflictException",
                "ModelPackage " + packageArn(1) + " is in use by a SageMaker model");

        assertThatThrownBy(() -> invoke(event("model-group-delete.json", root -> props(root).put("PurgeOnDelete", "true"))))
                .hasMessageContaining("ConflictException").hasMessageContaining("is in use");
        assertThat(aws.count(DELETE_GROUP)).isZero();
    }

    @Test
    void purgeOfAGroupThatIsAlreadyGoneSucceedsWithoutReadingAnError() {
        JsonNode response = invoke(event("model-group-delete.json", root -> props(root).put("PurgeOnDelete", "true")));

        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(GROUP);
        assertThat(sageMakerTargets()).containsExactly(LIST_GROUPS);
    }

    @Test
    void purgeFailsWithTheServiceMessageWhenTheGroupCannotBeDeleted() {
        groupExists();
        aws.ok(LIST_PACKAGES, page(null, 1));
        aws.ok(DELETE_PACKAGE, "{}");
        aws.error(DELETE_GROUP, 400, "ValidationException", "ModelPackageGroup in InProgress state cannot be modified or deleted.");

        assertThatThrownBy(() -> invoke(event("model-group-delete.json", root -> props(root).put("PurgeOnDelete", "true"))))
                .hasMessageContaining("ModelGroup Delete of '" + GROUP + "' failed")
                .hasMessageContaining("InProgress state cannot be modified or deleted");
    }

    @Test
    void deleteOfAFailedCreateSucceedsWithoutCalls() {
        String marker = "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED";

        JsonNode response = invoke(event("model-group-delete.json", root -> {
            root.put("PhysicalResourceId", marker);
            props(root).put("PurgeOnDelete", "true");
        }));

        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(marker);
        assertThat(sageMakerTargets()).isEmpty();
    }

    @Test
    void deleteTreatsAnythingButTrueAsKeep() {
        invoke(event("model-group-delete.json", root -> props(root).put("PurgeOnDelete", "TRUE-ish")));

        assertThat(sageMakerTargets()).isEmpty();
    }
}
