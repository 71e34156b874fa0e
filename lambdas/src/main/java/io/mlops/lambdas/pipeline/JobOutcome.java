package io.mlops.lambdas.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What a pipeline job handler decided: done (with output variables) or still running. */
public sealed interface JobOutcome {

    /** Human-readable line shown in the action's execution details. */
    String summary();

    static Succeeded succeeded(String summary, Map<String, String> outputVariables) {
        return new Succeeded(summary, outputVariables);
    }

    static InProgress inProgress(String summary, Object continuationState) {
        return new InProgress(summary, ContinuationState.encode(continuationState));
    }

    /** The action succeeded; the variables become {@code #{Namespace.Key}} for later actions. */
    record Succeeded(String summary, Map<String, String> outputVariables) implements JobOutcome {
        public Succeeded {
            Objects.requireNonNull(summary, "summary");
            outputVariables = Map.copyOf(new LinkedHashMap<>(outputVariables));
        }
    }

    /** Still running: CodePipeline invokes the function again with this continuation token. */
    record InProgress(String summary, String continuationToken) implements JobOutcome {
        public InProgress {
            Objects.requireNonNull(summary, "summary");
            Objects.requireNonNull(continuationToken, "continuationToken");
        }
    }
}
