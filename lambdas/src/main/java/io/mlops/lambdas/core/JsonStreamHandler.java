package io.mlops.lambdas.core;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Typed Lambda handler with our own JSON binding at the edge.
 *
 * <p>The Lambda Java runtime binds POJOs with a shaded Jackson that ignores our annotations
 * (aws/aws-lambda-java-libs#491), and CodePipeline's event key {@code CodePipeline.job} is not a
 * Java identifier. So the edge is a {@link RequestStreamHandler} that binds the event to our typed
 * records with {@link Json#EVENTS}; everything behind it is typed. See docs/decisions/0001.
 *
 * @param <I> event type
 * @param <O> response type ({@link Void} for none)
 */
public abstract class JsonStreamHandler<I, O> implements RequestStreamHandler {
    private final Class<I> inputType;

    protected JsonStreamHandler(Class<I> inputType) {
        this.inputType = inputType;
    }

    /** Handles one typed event. */
    public abstract O handle(I input, Context context);

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ObjectMapper mapper = Json.EVENTS;
        I event;
        try {
            event = mapper.readValue(input, inputType);
        } catch (IOException e) {
            throw new IllegalArgumentException("event is not valid JSON for " + inputType.getSimpleName()
                    + ": " + e.getMessage(), e);
        }
        O result = handle(event, context);
        if (result != null) {
            mapper.writeValue(output, result);
        }
    }
}
