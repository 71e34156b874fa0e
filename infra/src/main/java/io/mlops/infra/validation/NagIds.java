package io.mlops.infra.validation;

import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.constructs.IConstruct;

/**
 * Builds cdk-nag finding ids exactly as AwsSolutions reports them, so acknowledgments name the
 * finding (cdk-nag 3 acknowledges findings one by one): tokens render as {@code <LogicalId.Arn>}
 * and pseudo parameters as {@code <AWS::Region>}.
 */
public final class NagIds {
    public static final String WILDCARD = "AwsSolutions-IAM5";

    private NagIds() {
    }

    /** {@code AwsSolutions-IAM5[Resource::<resource>]}. */
    public static String resource(String resource) {
        return WILDCARD + "[Resource::" + resource + "]";
    }

    /** {@code AwsSolutions-IAM5[Action::<action>]}. */
    public static String action(String action) {
        return WILDCARD + "[Action::" + action + "]";
    }

    /** {@code <LogicalId.Arn>} of an L2 construct's CloudFormation resource (or of an L1). */
    public static String arnOf(IConstruct construct) {
        return "<" + logicalId(construct) + ".Arn>";
    }

    /** The logical id of an L2 construct's default child (or of an L1 itself). */
    public static String logicalId(IConstruct construct) {
        IConstruct cfn = construct instanceof CfnElement ? construct : construct.getNode().getDefaultChild();
        if (!(cfn instanceof CfnElement element)) {
            throw new IllegalArgumentException(construct.getNode().getPath() + " has no CloudFormation resource");
        }
        Stack stack = Stack.of(element);
        return String.valueOf(stack.resolve(element.getLogicalId()));
    }

    /** {@code arn:<AWS::Partition>:<service>:<AWS::Region>:<AWS::AccountId>:<resource>} as cdk-nag prints it. */
    public static String arn(String service, String resource) {
        return "arn:<AWS::Partition>:" + service + ":<AWS::Region>:<AWS::AccountId>:" + resource;
    }
}
