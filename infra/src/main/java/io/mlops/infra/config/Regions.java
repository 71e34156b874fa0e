package io.mlops.infra.config;

import java.util.List;
import software.amazon.awscdk.CfnRule;
import software.amazon.awscdk.CfnRuleAssertion;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Stack;

/**
 * The AWS Regions this project supports: the commercial Regions in which every CloudFormation resource type
 * the app creates exists (cfn-lint 1.51.0's per-Region resource schemas: no E3006 "resource type does not
 * exist" and no other error for any of our templates). Left out: Regions without CodeCommit, CodeBuild or
 * SageMaker models in CloudFormation (for example af-south-1, ap-south-2, ap-southeast-3..7, ca-west-1,
 * eu-central-2, eu-south-2, il-central-1, me-central-1, mx-central-1), and the partitions other than
 * {@code aws} (China, GovCloud, ISO), whose ARNs and console URLs differ.
 *
 * <p>The cfn-lint gate lints every template for each of these Regions; {@code docs/configuration.md}
 * lists them (a test keeps the two equal). A stack outside them fails at synth (when the CLI knows the
 * Region) and, in any case, at deploy time by the template rule {@value #RULE_ID}.
 */
public final class Regions {
    public static final List<String> SUPPORTED = List.of(
            "us-east-1", "us-east-2", "us-west-1", "us-west-2",
            "ca-central-1", "sa-east-1",
            "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3",
            "me-south-1",
            "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
            "ap-southeast-1", "ap-southeast-2");

    /** Logical id of the template rule that rejects an unsupported Region before CloudFormation creates anything. */
    public static final String RULE_ID = "SupportedRegion";

    private Regions() {
    }

    /**
     * Fails with the supported list and the fix when {@code region} (e.g. the CLI's {@code CDK_DEFAULT_REGION})
     * is set and not supported; null or blank (an environment-agnostic synth) passes: the template rule decides.
     */
    public static void requireSupported(String region) {
        if (region == null || region.isBlank() || SUPPORTED.contains(region.trim())) {
            return;
        }
        throw new UnsupportedRegionException("AWS Region '" + region.trim() + "' is not supported: some resource type this "
                + "app creates does not exist there in CloudFormation (see docs/configuration.md, \"Regions\"). Supported: "
                + String.join(", ", SUPPORTED) + ". Fix: deploy to one of them (AWS_REGION, or the region of your --profile).");
    }

    /** Adds the deploy-time rule: CloudFormation stops with this message, before any resource, in another Region. */
    public static void addRule(Stack stack) {
        CfnRule.Builder.create(stack, RULE_ID)
                .assertions(List.of(CfnRuleAssertion.builder()
                        .assertValue(Fn.conditionContains(SUPPORTED, stack.getRegion()))
                        .assertDescription("This Region is not supported by the MLOps pipeline (a resource type it creates"
                                + " does not exist here). Supported: " + String.join(", ", SUPPORTED) + ".")
                        .build()))
                .build();
    }

    /** Thrown for an unsupported Region. */
    public static final class UnsupportedRegionException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnsupportedRegionException(String message) {
            super(message);
        }
    }
}
