package io.mlops.infra.emulator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlops.infra.emulator.PipelineTemplate.Action;
import io.mlops.infra.emulator.PipelineTemplate.Stage;
import io.mlops.infra.validation.DeployedValues;
import io.mlops.infra.validation.EndpointParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;

/**
 * One pipeline execution, stage by stage and RunOrder by RunOrder, as CodePipeline runs it: each action's
 * configuration gets its {@code #{Namespace.Variable}} references resolved from what earlier actions exported
 * (an unresolvable one fails the action, as in CodePipeline); Lambda actions run from the bundle
 * ({@link ActionRunner}) with a CodePipeline job event, and a success carrying a continuation token invokes
 * the action again (new job id, same configuration, the token in the job data) until a final result, at most
 * {@value #MAX_INVOCATIONS} times. The other providers are simulated: Source and Build export the variables
 * the test supplies; CloudFormation checks its ParameterOverrides against the template it deploys (the test's
 * {@link Hooks#afterDeploy} creates what the stack would); Step
 * Functions succeeds with its input parsed; manual approval approves with its CustomData resolved. A failed
 * action stops the execution after its RunOrder group, like a failed stage.
 */
public final class PipelineEmulator {
    static final int MAX_INVOCATIONS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the test does where the real jobs would (write outputs); called after every Lambda invocation. */
    public interface Hooks {
        void afterInvocation(Action action, int invocation, List<JobResultStandIn.Call> calls);

        /**
         * What the test does where CloudFormation would (create the stack's resources), after a simulated
         * CloudFormation action succeeded with these resolved parameter overrides.
         */
        default void afterDeploy(Action action, Map<String, String> parameters) {
        }
    }

    /** Where an artifact is in the artifact store. */
    public record S3Location(String bucket, String key) {
    }

    /** The outcome of one action: Succeeded, Failed or NotReported (no accepted result for an invocation). */
    public record ActionResult(Action action, String outcome, int invocations, String message,
            Map<String, String> outputVariables, List<JobResultStandIn.Call> calls, double seconds) {
        public boolean succeeded() {
            return outcome.equals("Succeeded");
        }

        public String line() {
            return String.format(Locale.ROOT, "[emulator] %-26s %-16s %2d invocation(s) %-12s %6.1f s%s",
                    action.label(), action.provider(), invocations, outcome, seconds,
                    succeeded() ? "" : " - " + abbreviate(message, 400));
        }
    }

    /** One execution: per-action results in run order, the variables exported, the references nothing exported. */
    public record Execution(String executionId, List<ActionResult> results, Map<String, String> variables,
            List<String> unresolved) {
        public ActionResult result(String stage, String action) {
            return results.stream().filter(r -> r.action().stage().equals(stage) && r.action().name().equals(action))
                    .findFirst().orElseThrow(() -> new AssertionError("action " + stage + "." + action
                            + " did not run in execution " + executionId + "; ran: "
                            + results.stream().map(r -> r.action().label() + "=" + r.outcome()).toList()));
        }

        public boolean ran(String stage, String action) {
            return results.stream().anyMatch(r -> r.action().stage().equals(stage) && r.action().name().equals(action));
        }
    }

    private final PipelineTemplate template;
    private final DeployedValues values;
    private final ActionRunner runner;
    private final JobResultStandIn standIn;
    private final Path endpointTemplates;
    private final Map<String, S3Location> artifacts;
    private final Map<String, Map<String, String>> supplied;

    /**
     * @param artifacts artifact name → its S3 object (the source outputs the test uploaded)
     * @param supplied action label ({@code Stage.Action}) → the output variables the test supplies for a simulated
     *        action (Source: CommitId etc.; Build: what the buildspec exports)
     */
    public PipelineEmulator(PipelineTemplate template, DeployedValues values, ActionRunner runner, JobResultStandIn standIn,
            Path endpointTemplates, Map<String, S3Location> artifacts, Map<String, Map<String, String>> supplied) {
        this.template = template;
        this.values = values;
        this.runner = runner;
        this.standIn = standIn;
        this.endpointTemplates = endpointTemplates;
        this.artifacts = Map.copyOf(artifacts);
        this.supplied = Map.copyOf(supplied);
    }

    public Execution run(String executionId, Hooks hooks) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("codepipeline.PipelineExecutionId", executionId);
        List<ActionResult> results = new ArrayList<>();
        List<String> unresolved = new ArrayList<>();
        for (Stage stage : template.stages()) {
            for (List<Action> group : stage.byRunOrder().values()) {
                boolean failed = false;
                for (Action action : group) {
                    ActionResult r = runAction(action, variables, unresolved, hooks);
                    System.out.println(r.line());
                    results.add(r);
                    if (r.succeeded() && action.namespace() != null) {
                        r.outputVariables().forEach((k, v) -> variables.put(action.namespace() + "." + k, v));
                    }
                    failed |= !r.succeeded();
                }
                if (failed) {
                    return new Execution(executionId, List.copyOf(results), Map.copyOf(variables), List.copyOf(unresolved));
                }
            }
        }
        return new Execution(executionId, List.copyOf(results), Map.copyOf(variables), List.copyOf(unresolved));
    }

    private ActionResult runAction(Action action, Map<String, String> variables, List<String> unresolved, Hooks hooks) {
        long start = System.nanoTime();
        List<String> missing = action.variablesRead().stream().filter(v -> !variables.containsKey(v)).toList();
        if (!missing.isEmpty()) {
            missing.forEach(v -> unresolved.add(action.label() + " reads #{" + v + "}"));
            return new ActionResult(action, "Failed", 0, "unable to resolve " + missing.stream().map(v -> "#{" + v + "}").toList()
                    + ": no earlier action exported them (exported so far: " + new TreeMap<>(variables).keySet() + ")",
                    Map.of(), List.of(), seconds(start));
        }
        try {
            return switch (action.provider()) {
                case "Lambda" -> lambda(action, variables, hooks, start);
                case "CodeCommit", "S3", "CodeBuild" -> new ActionResult(action, "Succeeded", 0,
                        "simulated: exports what the test supplies", supplied.getOrDefault(action.label(), Map.of()), List.of(),
                        seconds(start));
                case "CloudFormation" -> cloudFormation(action, variables, hooks, start);
                case "StepFunctions" -> stepFunctions(action, variables, start);
                case "Manual" -> new ActionResult(action, "Succeeded", 0, "approved (simulated); CustomData: "
                        + substitute(values.resolveIntrinsics(action.configuration().path("CustomData")), variables),
                        Map.of(), List.of(), seconds(start));
                default -> new ActionResult(action, "Failed", 0, "the emulator does not simulate provider "
                        + action.provider() + ": extend " + PipelineEmulator.class.getSimpleName(), Map.of(), List.of(),
                        seconds(start));
            };
        } catch (IOException e) {
            return new ActionResult(action, "Failed", 0, "emulator error: " + e, Map.of(), List.of(), seconds(start));
        }
    }

    // ---------------------------------------------------------------- Lambda

    private ActionResult lambda(Action action, Map<String, String> variables, Hooks hooks, long start) {
        PipelineTemplate.Function function = template.function(action);
        Map<String, String> env = new TreeMap<>();
        function.environment().forEach((k, v) -> env.put(k, values.resolveIntrinsics(v)));
        String functionName = values.resolveIntrinsics(action.configuration().path("FunctionName"));
        env.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
        String userParameters = action.userParameters() == null ? null : substitute(action.userParameters(), variables);
        List<JobResultStandIn.Call> calls = new ArrayList<>();
        String token = null;
        for (int invocation = 1; invocation <= MAX_INVOCATIONS; invocation++) {
            String jobId = UUID.randomUUID().toString();
            standIn.issue(jobId);
            ActionRunner.Invocation inv = runner.invoke(function.handler(), env,
                    event(jobId, action, functionName, userParameters, token));
            List<JobResultStandIn.Call> reported = standIn.callsFor(jobId);
            calls.addAll(reported);
            hooks.afterInvocation(action, invocation, reported);
            List<JobResultStandIn.Call> accepted = reported.stream().filter(JobResultStandIn.Call::accepted).toList();
            if (accepted.size() != 1 || reported.size() != 1) {
                String why = reported.isEmpty() ? "reported no job result" : "made " + reported.size() + " job-result calls ("
                        + reported.stream().map(c -> c.operation() + (c.accepted() ? "" : " REJECTED: " + c.rejection())).toList() + ")";
                // A rejected result followed by an accepted failure report ends the action Failed; anything else leaves
                // CodePipeline without a result, and it times the action out.
                boolean failed = accepted.size() == 1 && accepted.get(0).isFailure();
                return new ActionResult(action, failed ? "Failed" : "NotReported", invocation, "invocation " + invocation
                        + " (exit " + inv.exit() + ") " + why + (failed ? "" : "; CodePipeline would time the action out")
                        + ". Output:\n" + inv.tail(), Map.of(), calls, seconds(start));
            }
            JobResultStandIn.Call c = accepted.get(0);
            if (c.isFailure()) {
                return new ActionResult(action, "Failed", invocation, c.failureType() + ": " + c.failureMessage(), Map.of(),
                        calls, seconds(start));
            }
            if (c.continuationToken() == null) {
                return new ActionResult(action, "Succeeded", invocation, c.summary(), c.outputVariables(), calls, seconds(start));
            }
            token = c.continuationToken();
        }
        return new ActionResult(action, "Failed", MAX_INVOCATIONS, "still in progress after " + MAX_INVOCATIONS
                + " invocations (the emulator's bound)", Map.of(), calls, seconds(start));
    }

    /** The event CodePipeline sends a Lambda invoke action ("Invoke an AWS Lambda function in a pipeline"). */
    private String event(String jobId, Action action, String functionName, String userParameters, String token) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode job = root.putObject("CodePipeline.job");
        job.put("id", jobId);
        job.put("accountId", DeployedValues.ACCOUNT);
        ObjectNode data = job.putObject("data");
        ObjectNode configuration = data.putObject("actionConfiguration").putObject("configuration");
        configuration.put("FunctionName", functionName);
        if (userParameters != null) {
            configuration.put("UserParameters", userParameters);
        }
        ArrayNode inputs = data.putArray("inputArtifacts");
        for (String name : action.inputArtifacts()) {
            S3Location at = artifacts.get(name);
            if (at == null) {
                throw new IllegalStateException(action.label() + " takes the artifact " + name + ", which the test did not supply");
            }
            ObjectNode a = inputs.addObject();
            a.put("name", name);
            a.put("revision", supplied.getOrDefault("Source.Source", Map.of()).getOrDefault("CommitId", "emulated"));
            ObjectNode location = a.putObject("location");
            location.put("type", "S3");
            location.putObject("s3Location").put("bucketName", at.bucket()).put("objectKey", at.key());
        }
        data.putArray("outputArtifacts");
        data.putObject("artifactCredentials").put("accessKeyId", "ASIAEMULATORARTIFACTS").put("secretAccessKey", "emulator-secret")
                .put("sessionToken", "emulator-session-token");
        if (token != null) {
            data.put("continuationToken", token);
        }
        return root.toString();
    }

    // ---------------------------------------------------------------- simulated providers

    private ActionResult cloudFormation(Action action, Map<String, String> variables, Hooks hooks, long start) throws IOException {
        String path = action.configuration().path("TemplatePath").asText();
        Path file = endpointTemplates.resolve(path.substring(path.indexOf("::") + 2));
        if (!Files.isRegularFile(file)) {
            return new ActionResult(action, "Failed", 0, "TemplatePath " + path + " is not in the templates artifact ("
                    + endpointTemplates + ")", Map.of(), List.of(), seconds(start));
        }
        String overrides = substitute(values.resolveIntrinsics(action.configuration().path("ParameterOverrides")), variables);
        Map<String, String> parameters = JSON.readValue(overrides, new TypeReference<LinkedHashMap<String, String>>() { });
        List<String> problems = EndpointParameters.problems(file, parameters, action.label());
        if (!problems.isEmpty()) {
            return new ActionResult(action, "Failed", 0, String.join("; ", problems), Map.of(), List.of(), seconds(start));
        }
        hooks.afterDeploy(action, parameters);
        Map<String, String> outputs = new LinkedHashMap<>();
        JSON.readTree(file.toFile()).path("Outputs").fieldNames()
                .forEachRemaining(o -> outputs.put(o, "emulated-" + action.stage() + "-" + o));
        return new ActionResult(action, "Succeeded", 0, "parameters fit " + file.getFileName() + ": " + parameters, outputs,
                List.of(), seconds(start));
    }

    private ActionResult stepFunctions(Action action, Map<String, String> variables, long start) throws IOException {
        String input = substitute(values.resolveIntrinsics(action.configuration().path("Input")), variables);
        if (action.configuration().path("InputType").asText("Literal").equals("Literal")) {
            JSON.readTree(input);
        }
        String machine = values.resolveIntrinsics(action.configuration().path("StateMachineArn"));
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("StateMachineArn", machine);
        outputs.put("ExecutionArn", machine.replace(":stateMachine:", ":execution:") + ":emulated");
        return new ActionResult(action, "Succeeded", 0, "simulated success; input " + input, outputs, List.of(), seconds(start));
    }

    // ---------------------------------------------------------------- helpers

    /** Replaces every {@code #{Namespace.Variable}} with its value (the caller checked they are all known). */
    static String substitute(String text, Map<String, String> variables) {
        Matcher m = PipelineTemplate.VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = variables.get(m.group(1) + "." + m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every variable any action of the template reads, by action label (for the summary). */
    public Map<String, Set<String>> variablesReadByAction() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        template.actions().forEach(a -> out.put(a.label(), a.variablesRead()));
        return out;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max - 3) + "...";
    }
}
