package io.mlops.infra.constructs;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

class PipelineStorageTest {
    private static Template template;

    @BeforeAll
    static void synth() {
        Stack stack = ConstructStacks.stack("StorageOnly");
        PipelineStorage storage = new PipelineStorage(stack, "Storage", PipelineStorageProps.defaults());
        Role reader = Role.Builder.create(stack, "Reader").assumedBy(new ServicePrincipal("lambda.amazonaws.com")).build();
        storage.grantRunsRead(reader, "etl/*");
        storage.grantDatasetsList(reader);
        template = Template.fromStack(stack);
    }

    @Test
    void createsThreeVersionedTlsOnlyPrivateBuckets() {
        template.resourceCountIs("AWS::S3::Bucket", 3);
        template.allResourcesProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "LifecycleConfiguration", Match.anyValue())));
        template.allResourcesProperties("AWS::S3::BucketPolicy", Match.objectLike(Map.of("PolicyDocument", Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of("Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))))));
    }

    @Test
    void artifactAndDataBucketsUseTheKeyAndLogAccess() {
        for (String prefix : List.of("artifacts/", "data/")) {
            template.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                    "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                            "BucketKeyEnabled", true,
                            "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "aws:kms",
                                    "KMSMasterKeyID", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("StorageKey.*"), "Arn")))))),
                    "LoggingConfiguration", Map.of("DestinationBucketName", Map.of("Ref", Match.stringLikeRegexp("StorageAccessLogs.*")),
                            "LogFilePrefix", prefix))));
        }
    }

    @Test
    void keyRotatesAndOnlyAwsServicesMayCreateGrants() {
        template.hasResourceProperties("AWS::KMS::Key", Match.objectLike(Map.of(
                "EnableKeyRotation", true,
                "KeyPolicy", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "DenyCreateGrantUnlessForAwsResource", "Effect", "Deny", "Action", "kms:CreateGrant",
                        "Condition", Map.of("BoolIfExists", Map.of("kms:GrantIsForAWSResource", "false",
                                "aws:PrincipalIsAWSService", "false"))))))))));
    }

    @Test
    void grantsArePrefixScopedWithoutKmsWildcards() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyName", Match.anyValue(),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("Reader.*"))),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "kms:Decrypt")),
                        Match.objectLike(Map.of("Action", List.of("s3:GetObject", "s3:GetObjectVersion"),
                                "Resource", Map.of("Fn::Join", List.of("", List.of(
                                        Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("StorageArtifacts.*"), "Arn")),
                                        "/runs/*/etl/*"))))),
                        Match.objectLike(Map.of("Action", "s3:ListBucket",
                                "Condition", Map.of("StringLike", Map.of("s3:prefix", List.of("datasets/*"))))))))));
    }
}
