package io.mlops.infra.constructs;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;

/**
 * The role CloudFormation assumes when the pipeline deploys an endpoint stack: SageMaker models,
 * endpoint configs and endpoints named {@code <endpointPrefix>*}, their rollback alarms, PRD
 * autoscaling, passing the hosting role to SageMaker, and the key for volume and capture encryption.
 */
public final class EndpointDeployRole extends Construct {


    private final Role role;

    public EndpointDeployRole(Construct scope, String id, EndpointDeployRoleProps props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        String prefix = props.endpointPrefix().toLowerCase(Locale.ROOT);
        role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("cloudformation.amazonaws.com"))
                .description("CloudFormation deploys the DEV/PRD endpoint stacks with this role (pipeline)")
                .build();
        List<String> sagemaker = List.of(
                arn(stack, "sagemaker", "model", prefix + "*"),
                arn(stack, "sagemaker", "endpoint-config", prefix + "*"),
                arn(stack, "sagemaker", "endpoint", prefix + "*"));
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("sagemaker:CreateModel", "sagemaker:DescribeModel", "sagemaker:DeleteModel",
                        "sagemaker:CreateEndpointConfig", "sagemaker:DescribeEndpointConfig", "sagemaker:DeleteEndpointConfig",
                        "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:DescribeEndpoint",
                        "sagemaker:DeleteEndpoint", "sagemaker:AddTags", "sagemaker:DeleteTags", "sagemaker:ListTags"))
                .resources(sagemaker)
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("sagemaker:DescribeModelPackage"))
                .resources(List.of(props.registry().packagesArn()))
                .build());
        props.hostingRole().grantPassRole(role);
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"))
                .resources(List.of(props.storage().key().getKeyArn()))
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("kms:CreateGrant"))
                .resources(List.of(props.storage().key().getKeyArn()))
                .conditions(Map.of("Bool", Map.of("kms:GrantIsForAWSResource", "true")))
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
                        "cloudwatch:TagResource", "cloudwatch:ListTagsForResource"))
                .resources(List.of(arn(stack, "cloudwatch", "alarm", prefix + "*")))
                .build());
        // Application Auto Scaling authorises by resource tags at most; scalable targets have generated ARNs.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
                        "application-autoscaling:DescribeScalableTargets", "application-autoscaling:PutScalingPolicy",
                        "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DescribeScalingPolicies",
                        "application-autoscaling:DescribeScalingActivities"))
                .resources(List.of("*"))
                .build());
        // The autoscaling target needs the SageMaker service-linked role (created once per account).
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("iam:CreateServiceLinkedRole"))
                .resources(List.of("arn:" + stack.getPartition() + ":iam::" + stack.getAccount()
                        + ":role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"))
                .conditions(Map.of("StringLike", Map.of("iam:AWSServiceName", "sagemaker.application-autoscaling.amazonaws.com")))
                .build());
        String names = "Model and endpoint-config names carry the pipeline execution id (a new pair per deployment);"
                + " the pattern is limited to this project's endpoint prefix.";
        for (String r : List.of("model/" + prefix + "*", "endpoint-config/" + prefix + "*", "endpoint/" + prefix + "*")) {
            Suppress.nag(role, NagIds.resource(NagIds.arn("sagemaker", r)), names);
        }
        Suppress.nag(role, NagIds.resource(NagIds.arn("cloudwatch", "alarm:" + prefix + "*")),
                "Rollback alarms are named after the endpoints (<project>-<stage>-...); limited to this project's prefix.");
        Suppress.nag(role, NagIds.resource(NagIds.arn("sagemaker",
                        "model-package/" + props.registry().groupName().toLowerCase(Locale.ROOT) + "/*")),
                "The stack may deploy any version of this one model package group; versions are numbered at registration.");
        Suppress.nag(role, "AwsSolutions-IAM5[Resource::*]",
                "Application Auto Scaling scalable targets/policies have service-generated ARNs; these actions cannot be scoped by name.");
    }

    private static String arn(Stack stack, String service, String resource, String name) {
        return stack.formatArn(ArnComponents.builder().service(service).resource(resource).resourceName(name)
                .arnFormat(service.equals("cloudwatch") ? software.amazon.awscdk.ArnFormat.COLON_RESOURCE_NAME
                        : software.amazon.awscdk.ArnFormat.SLASH_RESOURCE_NAME)
                .build());
    }

    public Role role() {
        return role;
    }
}
