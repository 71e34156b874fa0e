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

    /** The pipeline execution id of every CodePipeline fixture. */
    public static final String EXEC = "0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f";
    /** The commit id the fixtures pass as commitId. */
    public static final String COMMIT = "6c0d4bd2a1e8d0c9b7f36b1c1f7e2a3b4c5d6e7f";
    /** The pipeline artifact bucket (ARTIFACT_BUCKET); the fixtures' artifacts live in it. */
    public static final String ARTIFACTS = "mlops-artifacts-123456789012";
    /** The key of the source artifact (SourceOutput) in the fixtures. */
    public static final String SOURCE_KEY = "mlops-pipeline/SourceOutp/Ab3dEfG";
    /** The model image the fixtures pass as imageUri. */
    public static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model:6c0d4bd2a1e8";
    /** The SageMaker execution role (SAGEMAKER_ROLE_ARN). */
    public static final String ROLE = "arn:aws:iam::123456789012:role/mlops-sagemaker-execution";
    /** A KMS key ARN (KMS_KEY_ARN). */
    public static final String KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    /** The model package group (MODEL_PACKAGE_GROUP). */
    public static final String GROUP = "mlops-bank-marketing";

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
