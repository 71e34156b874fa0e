package io.mlops.systemtests.rollback;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A stateful stand-in for the CloudFormation (Query protocol, XML) and SageMaker (JSON 1.1, {@code X-Amz-Target})
 * calls of {@link Rollback}, on WireMock at 127.0.0.1 (the real SDK clients talk to it over HTTP). moto 5.2.1 does
 * not fit here: it keeps no ModelLifeCycle and an UpdateModelPackage without ModelApprovalStatus clears the status
 * (moto/sagemaker/models.py), and it cannot deploy a SageMaker endpoint through CloudFormation.
 *
 * <p>What it models, as the API Reference describes it: ListModelPackages (group, ModelApprovalStatus filter,
 * CreationTime sort, summaries with ModelLifeCycle); UpdateModelPackage changes only the members it is given;
 * DescribeEndpoint/DescribeEndpointConfig/DescribeModel; DescribeStacks/DescribeStackResources (physical id of
 * the endpoint = its ARN); UpdateStack validates UsePreviousTemplate, every parameter given once, no value with
 * UsePreviousValue, the template's AllowedPatterns and a stack not in progress (else 400 ValidationError), then the
 * stack is {@code *_IN_PROGRESS} for one DescribeStacks and ends as {@link #outcome} says.
 */
final class ControlPlaneFake implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    static final String ACCOUNT = "123456789012";
    static final String REGION = "us-east-1";
    static final String STACK = "mlops-endpoint-prd";
    static final String ENDPOINT = "mlops-prd";
    static final String GROUP = "mlops-bank-marketing";
    private static final String TRANSFORMER = "control-plane";
    private static final Pattern PACKAGE_ARN = Pattern.compile("arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/.+");
    private static final Pattern EXECUTION_ID = Pattern.compile("[a-zA-Z0-9-]{1,36}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the stack update ends. */
    enum Outcome {
        /** UPDATE_COMPLETE, the endpoint serves the new config. */
        SUCCEEDS,
        /** UPDATE_ROLLBACK_COMPLETE: nothing changed. */
        ROLLS_BACK,
        /** UPDATE_COMPLETE, but SageMaker kept the old config (canary rolled back on an alarm). */
        ENDPOINT_KEEPS_OLD_CONFIG
    }

    /** A package version as the registry holds it. */
    static final class Pkg {
        final String arn;
        final int version;
        final Instant created;
        String approval;
        String approvalDescription;
        String stage;
        String stageStatus;
        String stageDescription;

        Pkg(int version, String approval, String stage, String stageStatus) {
            this.arn = "arn:aws:sagemaker:" + REGION + ":" + ACCOUNT + ":model-package/" + GROUP + "/" + version;
            this.version = version;
            this.created = Instant.parse("2026-11-01T10:00:00Z").plusSeconds(86_400L * version);
            this.approval = approval;
            this.stage = stage;
            this.stageStatus = stageStatus;
        }
    }

    private final Handler handler = new Handler();
    private WireMockServer server;

    // --- state (reset before each test) ---
    final Map<Integer, Pkg> packages = new LinkedHashMap<>();
    final Map<String, String> parameters = new LinkedHashMap<>();
    final Map<String, String> configModel = new LinkedHashMap<>();
    final Map<String, String> modelPackage = new LinkedHashMap<>();
    String stackStatus;
    String endpointConfig;
    String endpointStatus;
    Outcome outcome;
    /** When set, UpdateModelPackage of this ARN answers 400 ValidationException (and changes nothing). */
    String refuseUpdateOf;
    /** When set, the model the update creates runs this package instead of the ModelPackageArn parameter. */
    String deployedPackageOverride;
    /** ListModelPackages calls answered (one per page). */
    int listCalls;
    private int pollsLeft;
    private String pendingExecutionId;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().extensions(handler));
        server.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server.resetAll();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(TRANSFORMER)));
        synchronized (this) {
            packages.clear();
            parameters.clear();
            configModel.clear();
            modelPackage.clear();
            stackStatus = "UPDATE_COMPLETE";
            outcome = Outcome.SUCCEEDS;
            deployedPackageOverride = null;
            refuseUpdateOf = null;
            listCalls = 0;
            pollsLeft = 0;
            pendingExecutionId = null;
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** Adds a version; returns it. */
    synchronized Pkg version(int version, String approval, String stage, String stageStatus) {
        Pkg p = new Pkg(version, approval, stage, stageStatus);
        packages.put(version, p);
        return p;
    }

    synchronized Pkg pkg(int version) {
        return packages.get(version);
    }

    /** The PRD stack as the pipeline deployed it with execution {@code executionId} serving {@code version}. */
    synchronized void deployed(int version, String executionId) {
        parameters.put("ModelPackageArn", packages.get(version).arn);
        parameters.put("PipelineExecutionId", executionId);
        parameters.put("ModelExecutionRoleArn", "arn:aws:iam::" + ACCOUNT + ":role/mlops-model");
        parameters.put("KmsKeyArn", "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/k1");
        parameters.put("DataCaptureS3Uri", "s3://mlops-artifacts/data-capture/");
        parameters.put("AlarmTopicArn", "arn:aws:sns:" + REGION + ":" + ACCOUNT + ":mlops-alarms");
        String name = ENDPOINT + "-" + executionId;
        configModel.put(name, name);
        modelPackage.put(name, packages.get(version).arn);
        endpointConfig = name;
        endpointStatus = "InService";
    }

    /** The stack is in {@code status} (e.g. UPDATE_IN_PROGRESS of a pipeline deployment) and stays there. */
    synchronized void busy(String status) {
        stackStatus = status;
        pollsLeft = Integer.MAX_VALUE;
    }

    /** The package the endpoint's config's model runs now. */
    synchronized String servedPackage() {
        return modelPackage.get(configModel.get(endpointConfig));
    }

    List<LoggedRequest> requests() {
        return server.findAll(anyRequestedFor(anyUrl()));
    }

    /** The CloudFormation actions and SageMaker targets received, in order. */
    List<String> operations() {
        List<String> ops = new ArrayList<>();
        for (LoggedRequest r : requests().stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList()) {
            String target = r.getHeader("X-Amz-Target");
            ops.add(target != null ? target.replace("SageMaker.", "") : form(r.getBodyAsString()).get("Action"));
        }
        return ops;
    }

    /** Requests that change something (UpdateStack, UpdateModelPackage, any Create/Delete). */
    List<String> mutations() {
        return operations().stream().filter(o -> o != null && !o.startsWith("Describe") && !o.startsWith("List")).toList();
    }

    /** The form fields of the UpdateStack requests. */
    List<Map<String, String>> updateStacks() {
        return requests().stream().map(r -> form(r.getBodyAsString())).filter(f -> "UpdateStack".equals(f.get("Action")))
                .toList();
    }

    static Map<String, String> form(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (body == null || body.isEmpty() || body.startsWith("{")) {
            return fields;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            fields.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    // --- the services ------------------------------------------------------------------------

    private synchronized ResponseDefinition answer(LoggedRequestView request) {
        String target = request.target();
        if (target != null) {
            return sageMaker(target.substring(target.indexOf('.') + 1), request.body());
        }
        Map<String, String> form = form(request.body());
        return cloudFormation(form.getOrDefault("Action", "?"), form);
    }

    private record LoggedRequestView(String target, String body) {
    }

    private ResponseDefinition sageMaker(String operation, String body) {
        JsonNode in;
        try {
            in = JSON.readTree(body.isEmpty() ? "{}" : body);
        } catch (Exception e) {
            return jsonError("SerializationException", "not JSON: " + body);
        }
        ObjectNode out = JSON.createObjectNode();
        switch (operation) {
            case "ListModelPackages" -> {
                if (!in.path("ModelPackageGroupName").asText().equals(GROUP)) {
                    out.putArray("ModelPackageSummaryList");
                    break;
                }
                List<Pkg> list = new ArrayList<>(packages.values());
                if (in.has("ModelApprovalStatus")) {
                    list.removeIf(p -> !p.approval.equals(in.get("ModelApprovalStatus").asText()));
                }
                list.sort(Comparator.comparing((Pkg p) -> p.created));
                if ("Descending".equals(in.path("SortOrder").asText())) {
                    java.util.Collections.reverse(list);
                }
                int max = in.path("MaxResults").asInt(100);
                if (max < 1 || max > 100) {
                    return jsonError("ValidationException", "MaxResults must be 1-100, was " + max);
                }
                int from = in.hasNonNull("NextToken") ? Integer.parseInt(in.get("NextToken").asText()) : 0;
                int to = Math.min(from + max, list.size());
                if (to < list.size()) {
                    out.put("NextToken", String.valueOf(to));
                }
                listCalls++;
                ArrayNode summaries = out.putArray("ModelPackageSummaryList");
                for (Pkg p : list.subList(Math.min(from, list.size()), to)) {
                    ObjectNode s = summaries.addObject();
                    s.put("ModelPackageGroupName", GROUP);
                    s.put("ModelPackageVersion", p.version);
                    s.put("ModelPackageArn", p.arn);
                    s.put("CreationTime", p.created.getEpochSecond());
                    s.put("ModelPackageStatus", "Completed");
                    s.put("ModelApprovalStatus", p.approval);
                    if (p.stage != null) {
                        ObjectNode lc = s.putObject("ModelLifeCycle");
                        lc.put("Stage", p.stage);
                        lc.put("StageStatus", p.stageStatus);
                        if (p.stageDescription != null) {
                            lc.put("StageDescription", p.stageDescription);
                        }
                    }
                }
            }
            case "UpdateModelPackage" -> {
                String arn = in.path("ModelPackageArn").asText();
                Pkg p = packages.values().stream().filter(x -> x.arn.equals(arn)).findFirst().orElse(null);
                if (p == null || arn.equals(refuseUpdateOf)) {
                    return jsonError("ValidationException", "Model package " + arn + " does not exist.");
                }
                if (in.has("ModelApprovalStatus")) {
                    p.approval = in.get("ModelApprovalStatus").asText();
                }
                if (in.has("ApprovalDescription")) {
                    p.approvalDescription = in.get("ApprovalDescription").asText();
                }
                if (in.has("ModelLifeCycle")) {
                    JsonNode lc = in.get("ModelLifeCycle");
                    p.stage = lc.path("Stage").asText();
                    p.stageStatus = lc.path("StageStatus").asText();
                    p.stageDescription = lc.has("StageDescription") ? lc.get("StageDescription").asText() : null;
                }
                out.put("ModelPackageArn", arn);
            }
            case "DescribeEndpoint" -> {
                if (!in.path("EndpointName").asText().equals(ENDPOINT) || endpointConfig == null) {
                    return jsonError("ValidationException", "Could not find endpoint \"" + in.path("EndpointName").asText() + "\".");
                }
                out.put("EndpointName", ENDPOINT);
                out.put("EndpointArn", endpointArn());
                out.put("EndpointConfigName", endpointConfig);
                out.put("EndpointStatus", endpointStatus);
                out.put("CreationTime", 1.7E9);
                out.put("LastModifiedTime", 1.7E9);
            }
            case "DescribeEndpointConfig" -> {
                String name = in.path("EndpointConfigName").asText();
                if (!configModel.containsKey(name)) {
                    return jsonError("ValidationException", "Could not find endpoint configuration \"" + name + "\".");
                }
                out.put("EndpointConfigName", name);
                out.put("EndpointConfigArn", "arn:aws:sagemaker:" + REGION + ":" + ACCOUNT + ":endpoint-config/" + name);
                ObjectNode v = out.putArray("ProductionVariants").addObject();
                v.put("VariantName", "AllTraffic");
                v.put("ModelName", configModel.get(name));
                v.put("InitialVariantWeight", 1.0);
                out.put("CreationTime", 1.7E9);
            }
            case "DescribeModel" -> {
                String name = in.path("ModelName").asText();
                if (!modelPackage.containsKey(name)) {
                    return jsonError("ValidationException", "Could not find model \"" + name + "\".");
                }
                out.put("ModelName", name);
                out.put("ModelArn", "arn:aws:sagemaker:" + REGION + ":" + ACCOUNT + ":model/" + name);
                out.putObject("PrimaryContainer").put("ModelPackageName", modelPackage.get(name));
                out.put("CreationTime", 1.7E9);
            }
            default -> {
                return jsonError("UnknownOperationException", "the fake does not model SageMaker." + operation);
            }
        }
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody(out.toString()).build();
    }

    private ResponseDefinition cloudFormation(String action, Map<String, String> form) {
        if (!STACK.equals(form.get("StackName"))) {
            return cfnError("Stack with id " + form.get("StackName") + " does not exist");
        }
        switch (action) {
            case "DescribeStacks" -> {
                if (pollsLeft > 0) {
                    pollsLeft--;
                } else if (stackStatus.endsWith("_IN_PROGRESS")) {
                    finishUpdate();
                }
                StringBuilder p = new StringBuilder();
                parameters.forEach((k, v) -> p.append("<member><ParameterKey>").append(k).append("</ParameterKey><ParameterValue>")
                        .append(v).append("</ParameterValue></member>"));
                return xml("DescribeStacks", "<Stacks><member><StackName>" + STACK + "</StackName><StackId>" + stackId()
                        + "</StackId><CreationTime>2026-11-22T10:00:00Z</CreationTime><StackStatus>" + stackStatus
                        + "</StackStatus><Parameters>" + p + "</Parameters></member></Stacks>");
            }
            case "DescribeStackResources" -> {
                return xml("DescribeStackResources", "<StackResources>"
                        + resource("ModelRole", "AWS::IAM::Role", "mlops-model")
                        + resource("EndpointConfig", "AWS::SageMaker::EndpointConfig", endpointConfigArn(endpointConfig))
                        + resource("Endpoint1A2B3C", "AWS::SageMaker::Endpoint", endpointArn())
                        + "</StackResources>");
            }
            case "UpdateStack" -> {
                return updateStack(form);
            }
            default -> {
                return cfnError("the fake does not model CloudFormation " + action);
            }
        }
    }

    private ResponseDefinition updateStack(Map<String, String> form) {
        if (stackStatus.endsWith("_IN_PROGRESS")) {
            return cfnError("Stack:" + stackId() + " is in " + stackStatus + " state and can not be updated.");
        }
        if (!"true".equals(form.get("UsePreviousTemplate")) || form.containsKey("TemplateBody") || form.containsKey("TemplateURL")) {
            return cfnError("this fake expects UsePreviousTemplate=true and no template; received " + form.keySet());
        }
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 1; form.containsKey("Parameters.member." + i + ".ParameterKey"); i++) {
            String key = form.get("Parameters.member." + i + ".ParameterKey");
            boolean previous = "true".equals(form.get("Parameters.member." + i + ".UsePreviousValue"));
            String value = form.get("Parameters.member." + i + ".ParameterValue");
            if (previous && value != null) {
                return cfnError("Invalid input for parameter key " + key + ". Cannot specify usePreviousValue as true and "
                        + "non empty value for a parameter");
            }
            if (!parameters.containsKey(key) || given.containsKey(key)) {
                return cfnError("Parameter " + key + " is not declared or given twice");
            }
            given.put(key, previous ? parameters.get(key) : value);
        }
        if (!given.keySet().equals(parameters.keySet())) {
            return cfnError("Parameters: " + parameters.keySet() + " must have values; received " + given.keySet());
        }
        if (!PACKAGE_ARN.matcher(given.get("ModelPackageArn")).matches()
                || !EXECUTION_ID.matcher(given.get("PipelineExecutionId")).matches()) {
            return cfnError("Parameter value " + given + " does not match the AllowedPattern");
        }
        if (given.equals(parameters)) {
            return cfnError("No updates are to be performed.");
        }
        parameters.putAll(given);
        pendingExecutionId = given.get("PipelineExecutionId");
        stackStatus = outcome == Outcome.ROLLS_BACK ? "UPDATE_ROLLBACK_IN_PROGRESS" : "UPDATE_IN_PROGRESS";
        pollsLeft = 1;
        return xml("UpdateStack", "<StackId>" + stackId() + "</StackId>");
    }

    private void finishUpdate() {
        String name = ENDPOINT + "-" + pendingExecutionId;
        switch (outcome) {
            case SUCCEEDS -> {
                configModel.put(name, name);
                modelPackage.put(name, deployedPackageOverride != null ? deployedPackageOverride
                        : parameters.get("ModelPackageArn"));
                endpointConfig = name;
                stackStatus = "UPDATE_COMPLETE";
            }
            case ENDPOINT_KEEPS_OLD_CONFIG -> {
                configModel.put(name, name);
                modelPackage.put(name, parameters.get("ModelPackageArn"));
                stackStatus = "UPDATE_COMPLETE";
            }
            case ROLLS_BACK -> stackStatus = "UPDATE_ROLLBACK_COMPLETE";
            default -> throw new IllegalStateException();
        }
    }

    private static String resource(String logical, String type, String physical) {
        return "<member><StackName>" + STACK + "</StackName><LogicalResourceId>" + logical + "</LogicalResourceId>"
                + "<PhysicalResourceId>" + physical + "</PhysicalResourceId><ResourceType>" + type + "</ResourceType>"
                + "<Timestamp>2026-11-22T10:00:00Z</Timestamp><ResourceStatus>UPDATE_COMPLETE</ResourceStatus></member>";
    }

    private static String stackId() {
        return "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT + ":stack/" + STACK + "/1";
    }

    static String endpointArn() {
        return "arn:aws:sagemaker:" + REGION + ":" + ACCOUNT + ":endpoint/" + ENDPOINT;
    }

    private static String endpointConfigArn(String name) {
        return "arn:aws:sagemaker:" + REGION + ":" + ACCOUNT + ":endpoint-config/" + name;
    }

    private static ResponseDefinition xml(String action, String result) {
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "text/xml")
                .withBody("<" + action + "Response xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><" + action
                        + "Result>" + result + "</" + action + "Result><ResponseMetadata><RequestId>r1</RequestId>"
                        + "</ResponseMetadata></" + action + "Response>").build();
    }

    private static ResponseDefinition cfnError(String message) {
        return new ResponseDefinitionBuilder().withStatus(400).withHeader("Content-Type", "text/xml")
                .withBody("<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender"
                        + "</Type><Code>ValidationError</Code><Message>" + message.replace("<", "&lt;") + "</Message></Error>"
                        + "<RequestId>r1</RequestId></ErrorResponse>").build();
    }

    private static ResponseDefinition jsonError(String type, String message) {
        return new ResponseDefinitionBuilder().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-ErrorType", type)
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "\\\"") + "\"}").build();
    }

    private final class Handler implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent event) {
            var r = event.getRequest();
            return answer(new LoggedRequestView(r.containsHeader("X-Amz-Target") ? r.getHeader("X-Amz-Target") : null,
                    r.getBodyAsString()));
        }

        @Override
        public String getName() {
            return TRANSFORMER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }
}
