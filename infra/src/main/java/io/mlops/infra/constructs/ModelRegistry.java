package io.mlops.infra.constructs;

import io.mlops.contract.Handler;
import io.mlops.contract.Tags;
import io.mlops.infra.validation.Suppress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.customresources.Provider;
import io.mlops.infra.validation.NagIds;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The SageMaker model package group, owned by a CloudFormation custom resource backed by the
 * ModelGroup handler ({@code io.mlops.lambdas.modelgroup.ModelGroupHandler}): create or adopt, tags, and on stack
 * deletion keep the group (default) or purge every version ({@code purgeOnDelete}).
 *
 * <p>Grants: {@link #grantRegister} (Evaluate: create packages, read the champion),
 * {@link #grantApprove} (ApproveModel), {@link #grantRead}.
 */
public final class ModelRegistry extends Construct {


    private final String groupName;
    private final String groupArn;
    private final String packagesArn;
    private final JavaFunction handler;
    private final CustomResource resource;

    public ModelRegistry(Construct scope, String id, ModelRegistryProps props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        groupName = props.groupName();
        // SageMaker ARNs carry lower-cased names.
        String lower = groupName.toLowerCase(Locale.ROOT);
        groupArn = stack.formatArn(software.amazon.awscdk.ArnComponents.builder()
                .service("sagemaker").resource("model-package-group").resourceName(lower).build());
        packagesArn = stack.formatArn(software.amazon.awscdk.ArnComponents.builder()
                .service("sagemaker").resource("model-package").resourceName(lower + "/*").build());

        handler = new JavaFunction(this, "Handler", JavaFunctionProps.builder()
                .code(props.handlerCode())
                .handler(Handler.MODEL_GROUP.className())
                .description("Custom resource: owns the SageMaker model package group " + groupName)
                .memoryMb(512)
                .timeout(Duration.minutes(5))
                .logKey(props.logKey())
                .logRetention(props.logRetention())
                .logRemoval(props.logRemoval())
                .build());
        handler.allow(List.of("sagemaker:CreateModelPackageGroup", "sagemaker:DescribeModelPackageGroup",
                "sagemaker:DeleteModelPackageGroup", "sagemaker:AddTags", "sagemaker:DeleteTags", "sagemaker:ListTags"),
                List.of(groupArn));
        handler.allow(List.of("sagemaker:DeleteModelPackage", "sagemaker:DescribeModelPackage"), List.of(packagesArn));
        handler.allow(List.of("sagemaker:ListModelPackages", "sagemaker:ListModelPackageGroups"), List.of("*"));
        Suppress.nag(handler.role(), "AwsSolutions-IAM5[Resource::*]",
                "sagemaker:ListModelPackages and sagemaker:ListModelPackageGroups support no resource-level permissions "
                        + "(Service Authorization Reference); the group's existence is proven by listing, not by parsing errors.");
        Suppress.nag(handler.role(), "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/"
                + lower + "/*]", "Purge on delete removes every version of this one group; versions are numbered at run time.");

        Role frameworkRole = Role.Builder.create(this, "ProviderRole")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("CDK custom resource provider framework for the model package group")
                .build();
        LogGroup frameworkLogs = LogGroup.Builder.create(this, "ProviderLogs")
                .retention(props.logRetention())
                .encryptionKey(props.logKey())
                .removalPolicy(props.logRemoval())
                .build();
        frameworkLogs.grantWrite(frameworkRole);
        Provider provider = Provider.Builder.create(this, "Provider")
                .onEventHandler(handler.function())
                .frameworkOnEventRole(frameworkRole)
                .logGroup(frameworkLogs)
                .build();
        resource = CustomResource.Builder.create(this, "Group")
                .serviceToken(provider.getServiceToken())
                .resourceType("Custom::ModelPackageGroup")
                .properties(Map.of(
                        "GroupName", groupName,
                        "Description", props.description(),
                        "PurgeOnDelete", Boolean.toString(props.purgeOnDelete()),
                        "Tags", List.of(Map.of("Key", Tags.PROJECT, "Value", groupName))))
                .build();
        Suppress.nag(frameworkRole, NagIds.resource(NagIds.arnOf(handler.function()) + ":*"),
                "CDK's Provider grants lambda:InvokeFunction on the onEvent handler and its versions (ARN:*); it is this one function.");
        IConstruct framework = provider.getNode().findChild("framework-onEvent");
        Suppress.guard(framework, "CT.LAMBDA.PR.3",
                "CDK custom resource provider framework function: it only calls Lambda and CloudFormation; no VPC in this product.");
    }

    public String groupName() {
        return groupName;
    }

    /** The group ARN as returned by the custom resource (creates the dependency on it). */
    public String groupArn() {
        return resource.getAttString("ModelPackageGroupArn");
    }

    /** ARN pattern of every version in the group. */
    public String packagesArn() {
        return packagesArn;
    }

    public JavaFunction handler() {
        return handler;
    }

    public CustomResource resource() {
        return resource;
    }

    /** Evaluate: prove the group exists (list groups), register versions, find the champion (list, describe). */
    public Grant grantRegister(IGrantable grantee) {
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("sagemaker:ListModelPackages", "sagemaker:ListModelPackageGroups"))
                .resourceArns(List.of("*")).build());
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("sagemaker:CreateModelPackage")).resourceArns(List.of(groupArn, packagesArn)).build());
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("sagemaker:DescribeModelPackage"))
                .resourceArns(List.of(packagesArn)).build());
    }

    /** ApproveModel: describe and set the approval status of a version. */
    public Grant grantApprove(IGrantable grantee) {
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"))
                .resourceArns(List.of(packagesArn)).build());
    }

    /** Read the group and its versions. */
    public Grant grantRead(IGrantable grantee) {
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("sagemaker:ListModelPackages")).resourceArns(List.of("*")).build());
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(grantee)
                .actions(List.of("sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"))
                .resourceArns(List.of(packagesArn, groupArn)).build());
    }
}
