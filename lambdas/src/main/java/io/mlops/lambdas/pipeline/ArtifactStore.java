package io.mlops.lambdas.pipeline;

import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.pipeline.CodePipelineEvent.Artifact;
import io.mlops.lambdas.pipeline.CodePipelineEvent.ArtifactCredentials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Reads files out of a job's input artifacts (zips in the pipeline's artifact store) with the
 * job's temporary artifact credentials, as CodePipeline intends. Streams the zip; never holds
 * more than the requested file in memory.
 */
public final class ArtifactStore {
    /** Files read from artifacts are small settings files; anything larger is a mistake. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    private final ClientFactory clients;

    public ArtifactStore(ClientFactory clients) {
        this.clients = clients;
    }

    /** The bytes of {@code path} inside the zip artifact {@code artifactName} of this job. */
    public byte[] readFile(PipelineJob<?> job, String artifactName, String path) {
        Artifact artifact = job.inputArtifact(artifactName);
        if (artifact.location() == null || artifact.location().s3Location() == null) {
            throw JobFailedException.configuration("input artifact '" + artifactName + "' has no S3 location");
        }
        String bucket = artifact.location().s3Location().bucketName();
        String key = artifact.location().s3Location().objectKey();
        String where = "s3://" + bucket + "/" + key;
        String wanted = normalise(path);
        try (S3Client s3 = clients.s3(credentials(job.artifactCredentials()));
             ResponseInputStream<GetObjectResponse> object = s3.getObject(r -> r.bucket(bucket).key(key));
             ZipInputStream zip = new ZipInputStream(object)) {
            List<String> seen = new ArrayList<>();
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String name = normalise(entry.getName());
                if (name.equals(wanted)) {
                    return readBounded(zip, path, artifactName);
                }
                if (seen.size() < 20 && !entry.isDirectory()) {
                    seen.add(name);
                }
            }
            throw JobFailedException.configuration("file '" + path + "' is not in input artifact '" + artifactName
                    + "' (" + where + (seen.isEmpty() ? "; the artifact is empty or not a zip" : "; it holds e.g. " + seen)
                    + "). Commit the file at that path or fix 'settingsPath' in the action's UserParameters.");
        } catch (NoSuchKeyException e) {
            throw new JobFailedException(software.amazon.awssdk.services.codepipeline.model.FailureType.REVISION_UNAVAILABLE,
                    "input artifact '" + artifactName + "' no longer exists at " + where
                            + " (expired from the artifact store?). Release the change again.", e);
        } catch (IOException e) {
            throw JobFailedException.jobFailed("could not read input artifact '" + artifactName + "' at " + where
                    + " as a zip: " + e.getMessage());
        }
    }

    private static byte[] readBounded(InputStream in, String path, String artifactName) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            out.write(buffer, 0, n);
            if (out.size() > MAX_FILE_BYTES) {
                throw JobFailedException.configuration("file '" + path + "' in artifact '" + artifactName
                        + "' is larger than " + MAX_FILE_BYTES + " bytes; settings files must be small");
            }
        }
        return out.toByteArray();
    }

    private static String normalise(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("./") || p.startsWith("/")) {
            p = p.startsWith("./") ? p.substring(2) : p.substring(1);
        }
        return p;
    }

    private static StaticCredentialsProvider credentials(ArtifactCredentials c) {
        if (c == null || c.accessKeyId() == null || c.secretAccessKey() == null) {
            throw JobFailedException.configuration("the job carries no artifactCredentials, so its input artifacts "
                    + "cannot be read; the action must be a CodePipeline Lambda invoke action with input artifacts");
        }
        return StaticCredentialsProvider.create(c.sessionToken() == null
                ? software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())
                : AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
    }
}
