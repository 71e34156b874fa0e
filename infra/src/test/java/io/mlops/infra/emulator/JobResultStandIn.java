package io.mlops.infra.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Stands in for CodePipeline's job-result API, which moto does not implement: PutJobSuccessResult and
 * PutJobFailureResult (AWS JSON 1.1, target prefix {@code CodePipeline_20150709}) on 127.0.0.1 and a free port.
 * It records every call and rejects, with HTTP 400 like CodePipeline, a request that breaks the API
 * Reference's rules for these two operations (botocore's service model: jobId pattern, field lengths,
 * failure types, output variable names, no outputVariables with a continuationToken) or names a job the
 * emulator did not issue. Rejected calls are recorded too, so a test can assert there were none.
 */
public final class JobResultStandIn implements AutoCloseable {
    static final String TARGET_PREFIX = "CodePipeline_20150709.";
    static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static final Pattern VARIABLE_KEY = Pattern.compile("[A-Za-z0-9@\\-_]+");
    static final Set<String> FAILURE_TYPES = Set.of("JobFailed", "ConfigurationError", "PermissionError",
            "RevisionOutOfSync", "RevisionUnavailable", "SystemUnavailable");

    /** One call: the operation, the job, the request body, and the rule it broke (null when accepted). */
    public record Call(String operation, String jobId, JsonNode body, String rejection) {
        public boolean accepted() {
            return rejection == null;
        }

        public boolean isFailure() {
            return operation.equals("PutJobFailureResult");
        }

        public String continuationToken() {
            return body.path("continuationToken").isTextual() ? body.path("continuationToken").asText() : null;
        }

        public Map<String, String> outputVariables() {
            Map<String, String> vars = new LinkedHashMap<>();
            body.path("outputVariables").fields().forEachRemaining(e -> vars.put(e.getKey(), e.getValue().asText()));
            return vars;
        }

        public String failureMessage() {
            return body.path("failureDetails").path("message").asText(null);
        }

        public String failureType() {
            return body.path("failureDetails").path("type").asText(null);
        }

        public String summary() {
            return body.path("executionDetails").path("summary").asText(null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final List<Call> calls = new ArrayList<>();
    private final Set<String> issuedJobs = ConcurrentHashMap.newKeySet();

    private JobResultStandIn(HttpServer server) {
        this.server = server;
    }

    public static JobResultStandIn start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            JobResultStandIn standIn = new JobResultStandIn(server);
            server.createContext("/", standIn::handle);
            server.start();
            return standIn;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Registers a job id the emulator hands to a Lambda action; results for other ids are rejected. */
    public void issue(String jobId) {
        issuedJobs.add(jobId);
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<Call> callsFor(String jobId) {
        return calls.stream().filter(c -> c.jobId().equals(jobId)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] body = exchange.getRequestBody().readAllBytes();
            String operation = target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : null;
            if (operation == null || !(operation.equals("PutJobSuccessResult") || operation.equals("PutJobFailureResult"))) {
                respond(exchange, 400, error("UnknownOperationException", "the stand-in serves only PutJobSuccessResult and "
                        + "PutJobFailureResult; received X-Amz-Target " + target));
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (IOException e) {
                respond(exchange, 400, error("SerializationException", e.getMessage()));
                return;
            }
            String jobId = request.path("jobId").asText("");
            String rejection = validate(operation, request, jobId);
            synchronized (this) {
                calls.add(new Call(operation, jobId, request, rejection));
            }
            if (rejection == null) {
                respond(exchange, 200, "{}");
            } else if (rejection.startsWith("JobNotFoundException")) {
                respond(exchange, 400, error("JobNotFoundException", rejection));
            } else {
                respond(exchange, 400, error("ValidationException", rejection));
            }
        }
    }

    private String validate(String operation, JsonNode r, String jobId) {
        List<String> problems = new ArrayList<>();
        if (!JOB_ID.matcher(jobId).matches()) {
            problems.add("jobId '" + jobId + "' does not match " + JOB_ID);
        } else if (!issuedJobs.contains(jobId)) {
            return "JobNotFoundException: job " + jobId + " was not issued by the emulator";
        }
        if (operation.equals("PutJobSuccessResult")) {
            JsonNode token = r.path("continuationToken");
            if (!token.isMissingNode()) {
                length(problems, "continuationToken", token, 1, 2048);
            }
            JsonNode details = r.path("executionDetails");
            length(problems, "executionDetails.summary", details.path("summary"), 1, 2048);
            length(problems, "executionDetails.externalExecutionId", details.path("externalExecutionId"), 1, 1500);
            JsonNode percent = details.path("percentComplete");
            if (!percent.isMissingNode() && (!percent.isInt() || percent.asInt() < 0 || percent.asInt() > 100)) {
                problems.add("executionDetails.percentComplete " + percent + " is not 0..100");
            }
            JsonNode vars = r.path("outputVariables");
            if (!vars.isMissingNode()) {
                if (!token.isMissingNode()) {
                    problems.add("outputVariables can be included only when there is no continuation token on the request");
                }
                for (Iterator<String> it = vars.fieldNames(); it.hasNext();) {
                    String key = it.next();
                    if (!VARIABLE_KEY.matcher(key).matches()) {
                        problems.add("output variable name '" + key + "' does not match " + VARIABLE_KEY);
                    }
                }
            }
        } else {
            JsonNode details = r.path("failureDetails");
            if (!FAILURE_TYPES.contains(details.path("type").asText(""))) {
                problems.add("failureDetails.type '" + details.path("type").asText("") + "' is not one of " + FAILURE_TYPES);
            }
            if (details.path("message").isMissingNode()) {
                problems.add("failureDetails.message is required");
            }
            length(problems, "failureDetails.message", details.path("message"), 1, 5000);
            length(problems, "failureDetails.externalExecutionId", details.path("externalExecutionId"), 1, 1500);
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static void length(List<String> problems, String field, JsonNode value, int min, int max) {
        if (value.isMissingNode() || value.isNull()) {
            return;
        }
        int n = value.asText().length();
        if (!value.isTextual() || n < min || n > max) {
            problems.add(field + " has length " + n + ", allowed " + min + ".." + max);
        }
    }

    private static String error(String type, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("__type", type);
        n.put("message", message);
        return n.toString();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
