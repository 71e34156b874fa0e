package io.mlops.systemtests.scoring;

import java.nio.charset.StandardCharsets;

/**
 * The model's answer to one request.
 *
 * @param status      HTTP status the model answered with (for SageMaker: 200, or the container's
 *                    original status of a {@code ModelError})
 * @param contentType response {@code Content-Type}, empty when none was sent
 * @param body        response body
 */
public record ScoringResponse(int status, String contentType, byte[] body) {
    public ScoringResponse {
        contentType = contentType == null ? "" : contentType;
        body = body == null ? new byte[0] : body;
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public boolean isClientError() {
        return status >= 400 && status < 500;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body shortened for messages and reports. */
    public String bodySnippet(int maxChars) {
        String text = bodyText().strip().replaceAll("\\s+", " ");
        return text.length() <= maxChars ? text : text.substring(0, maxChars) + "…";
    }
}
