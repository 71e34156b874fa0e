package io.mlops.lambdas.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlops.lambdas.core.Json;

/**
 * Continuation tokens are our own typed state as JSON. CodePipeline limits a token to 2048
 * characters; state that would not fit is a programming error and fails loudly.
 */
public final class ContinuationState {
    /** CodePipeline's limit for {@code continuationToken}. */
    public static final int MAX_TOKEN_LENGTH = 2048;

    private ContinuationState() {
    }

    public static String encode(Object state) {
        String token = Json.write(state);
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new IllegalStateException("continuation state is " + token.length()
                    + " characters, over CodePipeline's limit of " + MAX_TOKEN_LENGTH + ": " + token.substring(0, 200));
        }
        return token;
    }

    public static <S> S decode(String token, Class<S> type) {
        try {
            return Json.STRICT.readValue(token, type);
        } catch (JsonProcessingException e) {
            throw JobFailedException.configuration("continuation token is not a " + type.getSimpleName()
                    + " written by this handler version (" + e.getOriginalMessage() + "): '" + abbreviate(token)
                    + "'. Retry the stage so the action starts afresh.");
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
