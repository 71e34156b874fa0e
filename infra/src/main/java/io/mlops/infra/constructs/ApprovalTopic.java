package io.mlops.infra.constructs;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * The SNS topic of a project's manual approvals (CodePipeline's Approve action) and PRD alarms: KMS-encrypted
 * with the project key, TLS only, and open to CloudWatch alarms of this account ({@code aws:SourceAccount}).
 * The topic is the construct's default child, so its logical id is the construct's.
 */
public final class ApprovalTopic extends Construct {

    private final Topic topic;
    private final IKey key;

    public ApprovalTopic(Construct scope, String id, ApprovalTopicProps props) {
        super(scope, id);
        key = props.key();
        topic = Topic.Builder.create(this, "Default")
                .displayName(props.displayName())
                .masterKey(props.key())
                .enforceSsl(true)
                .build();
    }

    /**
     * Lets CloudWatch alarms of this account publish (topic policy and the key's policy): the PRD endpoint's
     * alarms notify this topic.
     */
    public void allowCloudWatchAlarms() {
        ServicePrincipal cloudWatch = new ServicePrincipal("cloudwatch.amazonaws.com");
        topic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("AllowCloudWatchAlarms")
                .principals(List.of(cloudWatch))
                .actions(List.of("sns:Publish"))
                .resources(List.of(topic.getTopicArn()))
                .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", Stack.of(this).getAccount())))
                .build());
        key.grant(cloudWatch, "kms:Decrypt", "kms:GenerateDataKey");
    }

    /**
     * Lets EventBridge rules of this account publish (topic policy and the key's policy): EventBridge can deliver
     * to a topic encrypted with a customer managed key only when the key policy lets {@code events.amazonaws.com}
     * use it (EventBridge User Guide, "Amazon SNS permissions"). The drift monitor's failed-job rule needs it.
     */
    public void allowEventBridgeRules() {
        ServicePrincipal events = new ServicePrincipal("events.amazonaws.com");
        topic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("AllowEventBridgeRules")
                .principals(List.of(events))
                .actions(List.of("sns:Publish"))
                .resources(List.of(topic.getTopicArn()))
                .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", Stack.of(this).getAccount())))
                .build());
        key.grant(events, "kms:Decrypt", "kms:GenerateDataKey");
    }

    public ITopic topic() {
        return topic;
    }

    public String topicArn() {
        return topic.getTopicArn();
    }
}
