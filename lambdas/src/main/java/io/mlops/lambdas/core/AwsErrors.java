package io.mlops.lambdas.core;

import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Classifies AWS service errors the same way in every handler. */
public final class AwsErrors {
    private AwsErrors() {
    }

    /**
     * A missing resource. SageMaker answers a Describe of a missing job, package or group with HTTP 400
     * {@code ValidationException} ("Requested resource not found.", "... does not exist."); other
     * services use {@code ResourceNotFound*} / {@code EntityNotFoundException}.
     */
    public static boolean isNotFound(AwsServiceException e) {
        if (e.awsErrorDetails() == null) {
            return false;
        }
        String code = String.valueOf(e.awsErrorDetails().errorCode());
        String message = String.valueOf(e.awsErrorDetails().errorMessage()).toLowerCase(Locale.ROOT);
        return code.startsWith("ResourceNotFound") || code.equals("EntityNotFoundException")
                || ("ValidationException".equals(code) && (message.contains("does not exist")
                        || message.contains("not found") || message.contains("could not find")));
    }
}
