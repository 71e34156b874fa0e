package io.mlops.lambdas.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.pipeline.CodePipelineEvent.Artifact;
import io.mlops.lambdas.pipeline.CodePipelineEvent.ArtifactCredentials;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The typed view of one CodePipeline job: its id, validated user parameters, artifacts with their
 * temporary credentials, and the continuation token of a re-invocation.
 *
 * @param <P> the handler's user parameters
 */
public record PipelineJob<P extends UserParameters>(String id, String accountId, P params,
        List<Artifact> inputArtifacts, List<Artifact> outputArtifacts, ArtifactCredentials artifactCredentials,
        Optional<String> continuationToken) {

    /** Binds and validates the job; every problem is a {@link JobFailedException} naming the fix. */
    public static <P extends UserParameters> PipelineJob<P> from(CodePipelineEvent event, Class<P> paramsType) {
        CodePipelineEvent.Job job = event.job();
        CodePipelineEvent.Data data = job.data();
        if (data == null) {
            throw JobFailedException.configuration("CodePipeline job " + job.id() + " has no 'data' section; "
                    + "this function must be invoked by a CodePipeline Lambda invoke action");
        }
        P params = bindParams(data, paramsType);
        params.validate();
        String token = data.continuationToken();
        return new PipelineJob<>(job.id(), job.accountId(), params,
                data.inputArtifacts() == null ? List.of() : List.copyOf(data.inputArtifacts()),
                data.outputArtifacts() == null ? List.of() : List.copyOf(data.outputArtifacts()),
                data.artifactCredentials(),
                token == null || token.isBlank() ? Optional.empty() : Optional.of(token));
    }

    private static <P> P bindParams(CodePipelineEvent.Data data, Class<P> paramsType) {
        String raw = data.actionConfiguration() == null || data.actionConfiguration().configuration() == null
                ? null : data.actionConfiguration().configuration().userParameters();
        if (raw == null || raw.isBlank()) {
            throw JobFailedException.configuration("the action has no UserParameters; " + paramsType.getSimpleName()
                    + " expects a JSON object there (see lambdas/README.md). Redeploy the pipeline stack.");
        }
        try {
            return Json.STRICT.readValue(raw, paramsType);
        } catch (JsonMappingException e) {
            throw JobFailedException.configuration("UserParameters do not match " + paramsType.getSimpleName()
                    + " at '" + path(e) + "': " + e.getOriginalMessage() + ". Received: " + ContinuationState.abbreviate(raw));
        } catch (JsonProcessingException e) {
            throw JobFailedException.configuration("UserParameters are not valid JSON (" + e.getOriginalMessage()
                    + "). Received: " + ContinuationState.abbreviate(raw));
        }
    }

    static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** The input artifact of that name, or a failure listing the artifacts the action does have. */
    public Artifact inputArtifact(String name) {
        return findInputArtifact(name).orElseThrow(() -> JobFailedException.configuration("input artifact '" + name
                + "' is not an input of this action; inputs are " + inputArtifacts.stream().map(Artifact::name).toList()
                + ". Fix the artifact name in UserParameters or the action's inputs."));
    }

    public Optional<Artifact> findInputArtifact(String name) {
        return inputArtifacts.stream().filter(a -> name.equals(a.name())).findFirst();
    }

    public boolean isContinuation() {
        return continuationToken.isPresent();
    }

    /** The state a previous invocation stored in the continuation token. */
    public <S> S continuation(Class<S> type) {
        return ContinuationState.decode(continuationToken.orElseThrow(), type);
    }
}
