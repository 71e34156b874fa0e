package io.mlops.lambdas.core;

import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Reads AWS service errors by their error code, the same way in every handler. The error message is
 * shown to people, never parsed: where the API Reference documents a code (ResourceNotFound,
 * ResourceInUse, EntityNotFoundException, ...) the handlers rely on that code, and where it documents
 * none they avoid needing one (create first and handle the documented "in use" code, or list and match
 * names exactly). Each rule is recorded in docs/contracts/aws-api.md.
 */
public final class AwsErrors {
    /** The common 400 error of every AWS query/JSON API ("The input fails to satisfy the constraints"). */
    public static final String VALIDATION_EXCEPTION = "ValidationException";

    private AwsErrors() {
    }

    /** Whether the service answered with exactly this error code. */
    public static boolean hasCode(AwsServiceException e, String code) {
        return e.awsErrorDetails() != null && code.equals(e.awsErrorDetails().errorCode());
    }

    /** {@code <code>: <message>} for a failure message (the SDK's own text when the service sent no details). */
    public static String codeAndMessage(AwsServiceException e) {
        if (e.awsErrorDetails() == null) {
            return e.getMessage();
        }
        String code = e.awsErrorDetails().errorCode() == null ? "HTTP " + e.statusCode() : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails().errorMessage() == null ? "(no message)" : e.awsErrorDetails().errorMessage();
        return code + ": " + message;
    }
}
