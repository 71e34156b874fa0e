package io.mlops.infra.constructs;

import software.amazon.awscdk.services.kms.IKey;

/**
 * Properties of {@link ApprovalTopic} (no defaults).
 *
 * @param displayName shown in the e-mails
 * @param key         encrypts the topic; CloudWatch alarms get to use it ({@link ApprovalTopic#allowCloudWatchAlarms()})
 */
public record ApprovalTopicProps(String displayName, IKey key) {
}
