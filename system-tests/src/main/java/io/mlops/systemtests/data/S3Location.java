package io.mlops.systemtests.data;

import java.net.URI;

/**
 * An {@code s3://bucket/key} URI, split.
 *
 * @param bucket bucket name
 * @param key    key or prefix (may be empty)
 */
public record S3Location(String bucket, String key) {

    /**
     * @param field name of the input field, for the message
     * @throws IllegalArgumentException when {@code uri} is not {@code s3://bucket/...}
     */
    public static S3Location parse(String uri, String field) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new IllegalArgumentException(field + " must be an S3 URI like s3://bucket/runs/<exec>/...; received '"
                    + uri + "'");
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException(field + " has no valid bucket name: received '" + uri
                    + "'; expected s3://bucket/runs/<exec>/...");
        }
        return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    /** The key as a prefix: empty or ending in {@code /}. */
    public S3Location asPrefix() {
        return key.isEmpty() || key.endsWith("/") ? this : new S3Location(bucket, key + "/");
    }

    public S3Location child(String name) {
        return new S3Location(bucket, asPrefix().key() + name);
    }

    public URI uri() {
        return URI.create(toString());
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
