package io.mlops.infra.validation;

import java.util.Objects;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Validations;
import software.constructs.IConstruct;

/**
 * The one way this app acknowledges a gate finding: on the narrowest construct, with a reason a
 * reviewer can check. Both gates read the acknowledgment from the construct tree
 * ({@link Validations#ACKNOWLEDGED_RULES_METADATA_KEY} on the resource or an ancestor).
 */
public final class Suppress {
    /** Namespace of cfn-guard acknowledgments, e.g. {@code cfn-guard::CT.LAMBDA.PR.3}. */
    public static final String GUARD_NAMESPACE = "cfn-guard";
    private static final int MIN_REASON = 25;

    private Suppress() {
    }

    /**
     * Acknowledges one cdk-nag finding, e.g. {@code AwsSolutions-IAM5[Resource::*]} (cdk-nag 3 needs
     * one acknowledgment per finding).
     */
    public static void nag(IConstruct construct, String findingId, String reason) {
        Validations.of(construct).acknowledge(Acknowledgment.builder().id(findingId).reason(check(findingId, reason)).build());
    }

    /** Acknowledges one cfn-guard Control Tower control, e.g. {@code CT.LAMBDA.PR.3}, for the resources under {@code construct}. */
    public static void guard(IConstruct construct, String controlId, String reason) {
        Validations.of(construct).acknowledge(Acknowledgment.builder()
                .id(GUARD_NAMESPACE + "::" + controlId).reason(check(controlId, reason)).build());
    }

    private static String check(String id, String reason) {
        Objects.requireNonNull(reason, "reason");
        if (reason.strip().length() < MIN_REASON) {
            throw new IllegalArgumentException("the acknowledgment of " + id + " needs a real reason (at least "
                    + MIN_REASON + " characters), got: '" + reason + "'");
        }
        return reason.strip();
    }
}
