package io.mlops.systemtests.scoring;

import io.mlops.systemtests.aws.AwsClients;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointRequest;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointResponse;
import software.amazon.awssdk.services.sagemakerruntime.model.ModelErrorException;
import software.amazon.awssdk.services.sagemakerruntime.model.ValidationErrorException;

/**
 * A SageMaker real-time endpoint through {@code InvokeEndpoint} (SDK v2, SigV4).
 *
 * <p>When the container answers with an error, SageMaker returns HTTP 424 {@code ModelError}
 * carrying the container's {@code OriginalStatusCode} and {@code OriginalMessage}: that becomes a
 * {@link ScoringResponse} with the container's status, so "the model rejected bad input with a 4xx"
 * reads the same here as against the server directly. A missing endpoint is thrown as
 * {@link EndpointNotFoundException}, access denied as {@link EndpointAccessDeniedException}, and
 * throttling after the client's retries, SageMaker's own 5xx and network errors as
 * {@link EndpointUnavailableException} (transient: worth retrying). Other {@code ValidationError}s
 * (SageMaker itself refused the request, e.g. an empty body) are an HTTP 400 answer.
 */
public final class SageMakerScoringEndpoint implements ScoringEndpoint {
    private final SageMakerRuntimeClient client;
    private final String endpointName;
    private final String where;

    /**
     * @param client       runtime client (its retry policy applies: keep retries for the endpoint
     *                     test, turn them off for a load test so throttling shows)
     * @param endpointName the endpoint
     * @param where        region or other context for messages, e.g. {@code eu-west-1}
     */
    public SageMakerScoringEndpoint(SageMakerRuntimeClient client, String endpointName, String where) {
        if (endpointName == null || endpointName.isBlank()) {
            throw new IllegalArgumentException("SageMaker endpoint name is empty; pass the endpoint's name, e.g. mlops-dev");
        }
        this.client = client;
        this.endpointName = endpointName;
        this.where = where;
    }

    @Override
    public ScoringResponse invoke(byte[] body, String contentType, String accept) {
        InvokeEndpointRequest request = InvokeEndpointRequest.builder()
                .endpointName(endpointName)
                .contentType(contentType)
                .accept(accept)
                .body(SdkBytes.fromByteArrayUnsafe(body))
                .build();
        try {
            InvokeEndpointResponse response = client.invokeEndpoint(request);
            return new ScoringResponse(response.sdkHttpResponse().statusCode(), response.contentType(),
                    response.body() == null ? new byte[0] : response.body().asByteArrayUnsafe());
        } catch (ModelErrorException e) {
            int original = e.originalStatusCode() == null ? e.statusCode() : e.originalStatusCode();
            String message = e.originalMessage() == null ? e.getMessage() : e.originalMessage();
            return new ScoringResponse(original, "", message.getBytes(StandardCharsets.UTF_8));
        } catch (ValidationErrorException e) {
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            String lower = String.valueOf(message).toLowerCase(Locale.ROOT);
            if (lower.contains("not found") || lower.contains("could not find")) {
                throw new EndpointNotFoundException(e.statusCode(), "SageMaker endpoint '"
                        + endpointName + "' was not found (" + where + "): " + message
                        + "; check the name and region, and that the DeployDev stage created it", e);
            }
            return new ScoringResponse(e.statusCode(), "", String.valueOf(message).getBytes(StandardCharsets.UTF_8));
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? e.getClass().getSimpleName() : e.awsErrorDetails().errorCode();
            String message = "InvokeEndpoint on '" + endpointName + "' (" + where + ") failed with HTTP " + e.statusCode()
                    + " " + code + ": " + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
            if (e.statusCode() == 403 || String.valueOf(code).contains("AccessDenied")) {
                throw new EndpointAccessDeniedException(code, e.statusCode(), message
                        + "; the caller needs sagemaker:InvokeEndpoint on this endpoint", e);
            }
            throw new EndpointUnavailableException(code, e.statusCode(), message, e);
        } catch (SdkClientException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new EndpointUnavailableException(root.getClass().getSimpleName(), 0, "InvokeEndpoint on '"
                    + endpointName + "' (" + where + ") could not be sent: " + AwsClients.explain(e), e);
        }
    }

    @Override
    public String describe() {
        return "sagemaker endpoint " + endpointName + " (" + where + ")";
    }

    /** The client belongs to the caller (the Lambda reuses it across invocations): not closed here. */
    @Override
    public void close() {
        // nothing owned
    }
}
