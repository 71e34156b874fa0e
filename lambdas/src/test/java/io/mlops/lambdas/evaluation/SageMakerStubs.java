package io.mlops.lambdas.evaluation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.mlops.lambdas.testing.AwsStub;

/**
 * Stubs that answer a SageMaker operation only for requests whose JSON body contains (or lacks) a
 * fragment, e.g. DescribeModelPackage of one ARN, or ListModelPackages with an approval filter. They
 * take priority over {@link AwsStub#ok}'s per-operation stubs.
 */
public final class SageMakerStubs {
    private SageMakerStubs() {
    }

    /** {@code target} answers {@code json} when the request body contains {@code fragment}. */
    public static void okWhenBodyContains(AwsStub aws, String target, String fragment, String json) {
        aws.server().stubFor(request(target).withRequestBody(containing(fragment)).atPriority(1).willReturn(ok(json)));
    }

    /** {@code target} answers {@code json} when the request body does not contain {@code fragment}. */
    public static void okWhenBodyLacks(AwsStub aws, String target, String fragment, String json) {
        aws.server().stubFor(request(target).withRequestBody(notContaining(fragment)).atPriority(1).willReturn(ok(json)));
    }

    /** {@code target} answers an AWS JSON error when the request body contains {@code fragment}. */
    public static void errorWhenBodyContains(AwsStub aws, String target, String fragment, int status, String type,
            String message) {
        aws.server().stubFor(request(target).withRequestBody(containing(fragment)).atPriority(1)
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withHeader("x-amzn-RequestId", "req-" + type)
                        .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "\\\"") + "\"}")));
    }

    private static MappingBuilder request(String target) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
    }

    private static ResponseDefinitionBuilder ok(String json) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(json);
    }

    /** A ListModelPackageGroups page with groups of these names (NameContains may match several). */
    public static String groups(String... names) {
        return "{\"ModelPackageGroupSummaryList\":[" + java.util.Arrays.stream(names).map(n -> "{\"ModelPackageGroupName\":\""
                + n + "\",\"ModelPackageGroupArn\":\"arn:aws:sagemaker:us-east-1:123456789012:model-package-group/" + n
                + "\",\"ModelPackageGroupStatus\":\"Completed\",\"CreationTime\":1763800000}")
                .collect(java.util.stream.Collectors.joining(",")) + "]}";
    }
}
