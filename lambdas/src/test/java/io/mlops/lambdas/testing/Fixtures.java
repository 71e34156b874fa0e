package io.mlops.lambdas.testing;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Event fixtures (JSON files under src/test/resources/events) and helpers to invoke handlers. */
public final class Fixtures {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Fixtures() {
    }

    /** The fixture file's text. */
    public static String event(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/events/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture src/test/resources/events/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A CodePipeline fixture with its UserParameters replaced by {@code userParameters} (a JSON string). */
    public static String withUserParameters(String eventJson, String userParameters) {
        ObjectNode root = tree(eventJson);
        ((ObjectNode) root.path("CodePipeline.job").path("data").path("actionConfiguration").path("configuration"))
                .put("UserParameters", userParameters);
        return root.toString();
    }

    /** A CodePipeline fixture carrying a continuation token. */
    public static String withContinuationToken(String eventJson, String token) {
        ObjectNode root = tree(eventJson);
        ((ObjectNode) root.path("CodePipeline.job").path("data")).put("continuationToken", token);
        return root.toString();
    }

    public static ObjectNode tree(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the handler's real Lambda entry point on the event text; returns what it wrote. */
    public static String invoke(RequestStreamHandler handler, String eventJson, TestContext context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(eventJson.getBytes(StandardCharsets.UTF_8)), out, context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A zip holding the given files, like a CodeCommit source artifact. */
    public static byte[] zip(Map<String, String> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
