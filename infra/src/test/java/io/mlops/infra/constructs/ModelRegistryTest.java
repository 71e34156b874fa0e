package io.mlops.infra.constructs;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class ModelRegistryTest {
    private static Template template;

    @BeforeAll
    static void synth() {
        Stack stack = ConstructStacks.stack("RegistryOnly");
        PipelineStorage storage = new PipelineStorage(stack, "Storage", PipelineStorageProps.defaults());
        new ModelRegistry(stack, "Registry", ModelRegistryProps.builder().groupName("proj-model")
                .purgeOnDelete(true).handlerCode(ConstructStacks.lambdaCode()).logKey(storage.key()).build());
        template = Template.fromStack(stack);
    }

    @Test
    void groupIsACustomResourceOfTheModelGroupHandler() {
        template.hasResourceProperties("Custom::ModelPackageGroup", Map.of(
                "ServiceToken", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("RegistryProviderframeworkonEvent.*"), "Arn")),
                "GroupName", "proj-model", "PurgeOnDelete", "true", "Description", Match.anyValue(),
                "Tags", List.of(Map.of("Key", "mlops:project", "Value", "proj-model"))));
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", "io.mlops.lambdas.modelgroup.ModelGroupHandler", "Runtime", "java21", "Timeout", 300)));
    }

    @Test
    void handlerMayOnlyManageThisGroupAndItsVersions() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("RegistryHandlerRole.*"))),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", Match.arrayWith(List.of("sagemaker:CreateModelPackageGroup",
                                "sagemaker:DeleteModelPackageGroup")),
                                "Resource", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                        ":model-package-group/proj-model")))))),
                        Match.objectLike(Map.of("Action", List.of("sagemaker:DeleteModelPackage", "sagemaker:DescribeModelPackage"),
                                "Resource", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                        ":model-package/proj-model/*"))))))))))));
    }
}
