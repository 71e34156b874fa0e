package io.mlops.infra.config;

import io.mlops.contract.actions.EndpointTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The typed, validated infrastructure configuration, read once from CDK context ({@code cdk.json}
 * {@code context}, overridable with {@code cdk synth -c key=value}). Every key is prefixed
 * {@code mlops:}; unknown {@code mlops:} keys fail too, so a typo never passes silently.
 * Each invalid value fails with the key, the value and the fix (all problems at once).
 *
 * <p>Keys and defaults are listed in {@link Keys} and documented in {@code docs/configuration.md}.
 */
public record MlopsConfig(
        String projectName,
        String modelName,
        String approvalEmail,
        boolean destroyOnRemoval,
        int logRetentionDays,
        String sourceBranch,
        EndpointSettings dev,
        EndpointSettings prd,
        Autoscaling autoscaling,
        BlueGreen blueGreen,
        Alarms alarms,
        SystemTestThresholds systemTest,
        Monitor monitor,
        DevEndpoint devEndpoint,
        Source source) {

    /**
     * Context keys with their defaults: the one place the defaults live ({@code cdk.json} sets only what differs;
     * docs/configuration.md lists them).
     */
    public static final class Keys {
        public static final String PROJECT_NAME = "mlops:projectName";
        public static final String MODEL_NAME = "mlops:modelName";
        public static final String APPROVAL_EMAIL = "mlops:approvalEmail";
        public static final String REMOVAL_POLICY = "mlops:removalPolicy";
        public static final String LOG_RETENTION_DAYS = "mlops:logRetentionDays";
        public static final String SOURCE_BRANCH = "mlops:sourceBranch";
        public static final String DEV_INSTANCE_TYPE = "mlops:dev:instanceType";
        public static final String DEV_INSTANCE_COUNT = "mlops:dev:instanceCount";
        public static final String PRD_INSTANCE_TYPE = "mlops:prd:instanceType";
        public static final String PRD_INSTANCE_COUNT = "mlops:prd:instanceCount";
        public static final String PRD_MIN_CAPACITY = "mlops:prd:minCapacity";
        public static final String PRD_MAX_CAPACITY = "mlops:prd:maxCapacity";
        public static final String PRD_TARGET_INVOCATIONS = "mlops:prd:targetInvocationsPerInstance";
        public static final String PRD_CANARY_INSTANCES = "mlops:prd:canaryInstances";
        public static final String PRD_CANARY_BAKE_SECONDS = "mlops:prd:canaryBakeSeconds";
        public static final String PRD_TERMINATION_WAIT_SECONDS = "mlops:prd:terminationWaitSeconds";
        public static final String PRD_DATA_CAPTURE_PERCENT = "mlops:prd:dataCapturePercent";
        public static final String PRD_ALARM_5XX = "mlops:prd:alarmMax5xxErrors";
        public static final String PRD_ALARM_LATENCY_MS = "mlops:prd:alarmMaxModelLatencyMillis";
        /** The DEV endpoint test's minimum ROC AUC (Evaluate's quality gate is {@code qualityGate.threshold} in the run settings). */
        public static final String TEST_MIN_ROC_AUC = "mlops:systemTest:minRocAuc";
        public static final String TEST_MAX_P99_MS = "mlops:systemTest:maxP99Millis";
        public static final String TEST_MAX_ROWS = "mlops:systemTest:maxRows";
        // The PRD drift monitor (issue 12, ADR 0105).
        public static final String MONITOR_ENABLED = "mlops:monitor:enabled";
        public static final String MONITOR_SCHEDULE = "mlops:monitor:schedule";
        public static final String MONITOR_INSTANCE_TYPE = "mlops:monitor:instanceType";
        public static final String MONITOR_MAX_RUNTIME_SECONDS = "mlops:monitor:maxRuntimeSeconds";
        public static final String MONITOR_NAMESPACE = "mlops:monitor:namespace";
        public static final String MONITOR_RETRAIN_ON_DRIFT = "mlops:monitor:retrainOnDrift";
        public static final String MONITOR_RETRAIN_MIN_INTERVAL_HOURS = "mlops:monitor:retrainMinIntervalHours";

        // DEV serving mode and the pipeline's source (issue 13 §4, §5; docs/configuration.md).
        public static final String DEV_MODE = "mlops:dev:mode";
        public static final String DEV_SERVERLESS_MEMORY_MB = "mlops:dev:serverless:memorySizeMb";
        public static final String DEV_SERVERLESS_MAX_CONCURRENCY = "mlops:dev:serverless:maxConcurrency";
        public static final String DEV_DELETE_AFTER_APPROVAL = "mlops:dev:deleteAfterApproval";
        public static final String SOURCE = "mlops:source";
        public static final String SOURCE_CONNECTION_ARN = "mlops:source:connectionArn";
        public static final String SOURCE_OWNER = "mlops:source:owner";
        public static final String SOURCE_REPO = "mlops:source:repo";
        public static final String SOURCE_FILE_PATHS = "mlops:source:filePaths";

        /** Keys of earlier versions and their new names: a renamed key fails with the new name. */
        public static final Map<String, String> RENAMED = Map.of(
                "mlops:thresholds:minRocAuc", TEST_MIN_ROC_AUC,
                "mlops:thresholds:maxP99Millis", TEST_MAX_P99_MS,
                "mlops:thresholds:maxRows", TEST_MAX_ROWS);

        /** Every known key with its default value, in documentation order. */
        public static final Map<String, Object> DEFAULTS;

        static {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put(PROJECT_NAME, "mlops");
            d.put(MODEL_NAME, "bank-marketing");
            d.put(APPROVAL_EMAIL, "");
            d.put(REMOVAL_POLICY, "retain");
            d.put(LOG_RETENTION_DAYS, 365);
            d.put(SOURCE_BRANCH, "main");
            d.put(DEV_INSTANCE_TYPE, "ml.t2.medium");
            d.put(DEV_INSTANCE_COUNT, 1);
            d.put(PRD_INSTANCE_TYPE, "ml.m5.large");
            d.put(PRD_INSTANCE_COUNT, 2);
            d.put(PRD_MIN_CAPACITY, 2);
            d.put(PRD_MAX_CAPACITY, 4);
            d.put(PRD_TARGET_INVOCATIONS, 750);
            d.put(PRD_CANARY_INSTANCES, 1);
            d.put(PRD_CANARY_BAKE_SECONDS, 600);
            d.put(PRD_TERMINATION_WAIT_SECONDS, 300);
            d.put(PRD_DATA_CAPTURE_PERCENT, 100);
            d.put(PRD_ALARM_5XX, 5);
            d.put(PRD_ALARM_LATENCY_MS, 1000);
            d.put(TEST_MIN_ROC_AUC, EndpointTest.DEFAULT_MIN_ROC_AUC);
            d.put(TEST_MAX_P99_MS, EndpointTest.DEFAULT_MAX_P99_MILLIS);
            d.put(TEST_MAX_ROWS, EndpointTest.DEFAULT_MAX_ROWS);
            d.put(MONITOR_ENABLED, true);
            d.put(MONITOR_SCHEDULE, "cron(10 * * * ? *)");
            d.put(MONITOR_INSTANCE_TYPE, "ml.t3.medium");
            d.put(MONITOR_MAX_RUNTIME_SECONDS, 1800);
            d.put(MONITOR_NAMESPACE, io.mlops.contract.Monitoring.DEFAULT_NAMESPACE);
            d.put(MONITOR_RETRAIN_ON_DRIFT, false);
            d.put(MONITOR_RETRAIN_MIN_INTERVAL_HOURS, 24);
            d.put(DEV_MODE, "serverless");
            d.put(DEV_SERVERLESS_MEMORY_MB, 2048);
            d.put(DEV_SERVERLESS_MAX_CONCURRENCY, 5);
            d.put(DEV_DELETE_AFTER_APPROVAL, false);
            d.put(SOURCE, "codecommit");
            d.put(SOURCE_CONNECTION_ARN, "");
            d.put(SOURCE_OWNER, "");
            d.put(SOURCE_REPO, "");
            d.put(SOURCE_FILE_PATHS, List.of("model-container/**", "etl/**", "contract/**", "config/**", "pom.xml"));
            DEFAULTS = java.util.Collections.unmodifiableMap(d);
        }

        private Keys() {
        }
    }

    /** One endpoint's size. */
    public record EndpointSettings(Stage stage, String instanceType, int instanceCount) {
    }

    /** PRD target-tracking autoscaling on {@code SageMakerVariantInvocationsPerInstance} (per minute). */
    public record Autoscaling(int minCapacity, int maxCapacity, int targetInvocationsPerInstance) {
    }

    /** PRD blue/green deployment: canary of {@code canaryInstances}, baked {@code canaryBakeSeconds}. */
    public record BlueGreen(int canaryInstances, int canaryBakeSeconds, int terminationWaitSeconds,
            int dataCapturePercent) {
    }

    /** Rollback alarms of the PRD deployment. */
    public record Alarms(int max5xxErrorsPerMinute, int maxModelLatencyMillis) {
    }

    /**
     * The PRD drift monitor: an EventBridge Scheduler {@code schedule} (default 10 minutes past every hour, on the
     * hour before) runs the image's {@code monitor} as a Processing job on {@code instanceType}; its metrics go to
     * {@code namespace}; with {@code retrainOnDrift} the drift alarm starts the pipeline at most once per
     * {@code retrainMinIntervalHours}.
     */
    public record Monitor(boolean enabled, String schedule, String instanceType, int maxRuntimeSeconds, String namespace,
            boolean retrainOnDrift, int retrainMinIntervalHours) {
    }

    /** Defaults the system-test state machine passes to the endpoint test. */
    public record SystemTestThresholds(double minRocAuc, int maxP99Millis, int maxRows) {
    }

    /** EventBridge Scheduler expressions (Scheduler User Guide, "Schedule types"): rate(...) or cron(6 fields). */
    private static final Pattern SCHEDULE = Pattern.compile("rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\)|cron\\((\\S+ ){5}\\S+\\)");
    /** PutMetricData: a namespace of 1-255 characters, not starting with AWS/ (CloudWatch API Reference). */
    private static final Pattern NAMESPACE = Pattern.compile("(?!AWS/)[A-Za-z0-9.\\-_/#:]{1,255}");
    /**
     * How the DEV endpoint runs. {@code serverless} (default): a serverless endpoint (no instance, no cost when
     * idle; {@code memorySizeMb}, {@code maxConcurrency}); {@code instance}: one real-time instance endpoint of
     * {@code mlops:dev:instanceType} x {@code mlops:dev:instanceCount}, as before. {@code deleteAfterApproval}: the
     * pipeline deletes the DEV stack once the candidate is approved.
     */
    public record DevEndpoint(boolean serverless, int memorySizeMb, int maxConcurrency, boolean deleteAfterApproval) {
    }

    /**
     * Where the pipeline's code comes from. {@code codeconnections}: a GitHub (or other) repository through an AWS
     * CodeConnections connection ({@code connectionArn}, {@code owner}/{@code repo}), triggered on pushes to the
     * branch that touch {@code filePaths}; otherwise the seeded CodeCommit repository (default).
     */
    public record Source(boolean codeConnections, String connectionArn, String owner, String repo, List<String> filePaths) {
        public Source {
            filePaths = List.copyOf(filePaths);
        }
    }

    /** ProductionVariantServerlessConfig.MemorySizeInMB: 1024-6144 in 1 GB steps (SageMaker API Reference). */
    public static final Set<Integer> SERVERLESS_MEMORY_MB = Set.of(1024, 2048, 3072, 4096, 5120, 6144);
    /** A connection ARN: arn:aws:codeconnections:... (current) or arn:aws:codestar-connections:... (before 2024-03). */
    private static final Pattern CONNECTION_ARN = Pattern.compile(
            "arn:aws(-[a-z]+)*:(codeconnections|codestar-connections):[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:connection/[0-9a-f-]{36}");
    /** GitHub owner (user or organization) and repository names. */
    private static final Pattern GIT_OWNER = Pattern.compile("[A-Za-z0-9](-?[A-Za-z0-9]){0,38}");
    private static final Pattern GIT_REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{1,14}[a-z0-9]");
    private static final Pattern MODEL = Pattern.compile("[a-z0-9](-?[a-z0-9]){0,39}");
    private static final Pattern INSTANCE_TYPE = Pattern.compile("ml\\.[a-z0-9]+\\.[0-9]*[a-z]+");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]{1,100}");
    /** CloudWatch Logs retention values that CloudFormation accepts, at least one year. */
    private static final Set<Integer> RETENTION = Set.of(365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653);

    /** Reads and validates; {@code context} answers a key with its raw value or null (e.g. {@code node::tryGetContext}). */
    public static MlopsConfig from(Function<String, Object> context, Set<String> presentKeys) {
        Reader r = new Reader(context);
        Set<String> unknown = new TreeSet<>();
        for (String key : presentKeys) {
            if (Keys.RENAMED.containsKey(key)) {
                r.problems.add("context key " + key + " was renamed to " + Keys.RENAMED.get(key)
                        + " (the DEV endpoint test's setting; Evaluate's gate is qualityGate in config/run-settings.json)."
                        + " Rename it in cdk.json or in the -c option.");
            } else if (key.startsWith("mlops:") && !Keys.DEFAULTS.containsKey(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            r.problems.add("unknown context key(s) " + unknown + ": known keys are " + Keys.DEFAULTS.keySet()
                    + ". Fix the spelling in cdk.json or in the -c option.");
        }
        String project = r.text(Keys.PROJECT_NAME, PROJECT,
                "3-16 characters, lower-case letters, digits and '-', starting with a letter (it prefixes every resource name)");
        String model = r.text(Keys.MODEL_NAME, MODEL,
                "1-40 characters, lower-case letters, digits and single '-' (it names the model package group)");
        String email = r.raw(Keys.APPROVAL_EMAIL);
        if (!email.isEmpty() && !EMAIL.matcher(email).matches()) {
            r.fail(Keys.APPROVAL_EMAIL, email, "an e-mail address like ml-team@example.com, or \"\" for no e-mail subscription");
        }
        String removal = r.raw(Keys.REMOVAL_POLICY).toLowerCase(Locale.ROOT);
        if (!removal.equals("retain") && !removal.equals("destroy")) {
            r.fail(Keys.REMOVAL_POLICY, removal, "\"retain\" (keep buckets, key, registry on cdk destroy) or \"destroy\"");
        }
        int retention = r.integer(Keys.LOG_RETENTION_DAYS, 1, 3653);
        if (retention > 0 && !RETENTION.contains(retention)) {
            r.fail(Keys.LOG_RETENTION_DAYS, retention, "one of " + new TreeSet<>(RETENTION)
                    + " (CloudWatch Logs retention values of at least one year; cfn-guard control CT.CLOUDWATCH.PR.2)");
        }
        String branch = r.text(Keys.SOURCE_BRANCH, BRANCH, "a git branch name such as main");
        EndpointSettings dev = new EndpointSettings(Stage.DEV,
                r.text(Keys.DEV_INSTANCE_TYPE, INSTANCE_TYPE, "a SageMaker hosting instance type such as ml.t2.medium"),
                r.integer(Keys.DEV_INSTANCE_COUNT, 1, 10));
        int prdCount = r.integer(Keys.PRD_INSTANCE_COUNT, 2, 100);
        EndpointSettings prd = new EndpointSettings(Stage.PRD,
                r.text(Keys.PRD_INSTANCE_TYPE, INSTANCE_TYPE, "a SageMaker hosting instance type such as ml.m5.large"),
                prdCount);
        int min = r.integer(Keys.PRD_MIN_CAPACITY, 2, 100);
        int max = r.integer(Keys.PRD_MAX_CAPACITY, 2, 100);
        if (min > 0 && max > 0 && min > max) {
            r.fail(Keys.PRD_MIN_CAPACITY, min, "at most " + Keys.PRD_MAX_CAPACITY + " (" + max + ")");
        }
        if (prdCount > 0 && min > 0 && max > 0 && (prdCount < min || prdCount > max)) {
            r.fail(Keys.PRD_INSTANCE_COUNT, prdCount, "a value between " + Keys.PRD_MIN_CAPACITY + " (" + min + ") and "
                    + Keys.PRD_MAX_CAPACITY + " (" + max + ")");
        }
        int target = r.integer(Keys.PRD_TARGET_INVOCATIONS, 1, 1_000_000);
        int canary = r.integer(Keys.PRD_CANARY_INSTANCES, 1, 50);
        if (canary > 0 && min > 0 && canary * 2 > min) {
            r.fail(Keys.PRD_CANARY_INSTANCES, canary, "at most half of " + Keys.PRD_MIN_CAPACITY + " (" + min
                    + "): SageMaker requires the canary to be <= 50% of the fleet");
        }
        int bake = r.integer(Keys.PRD_CANARY_BAKE_SECONDS, 0, 3600);
        int termination = r.integer(Keys.PRD_TERMINATION_WAIT_SECONDS, 0, 3600);
        int capture = r.integer(Keys.PRD_DATA_CAPTURE_PERCENT, 1, 100);
        int max5xx = r.integer(Keys.PRD_ALARM_5XX, 1, 1_000_000);
        int latency = r.integer(Keys.PRD_ALARM_LATENCY_MS, 1, 600_000);
        double auc = r.decimal(Keys.TEST_MIN_ROC_AUC, 0.5, 1.0);
        int p99 = r.integer(Keys.TEST_MAX_P99_MS, 1, 600_000);
        int rows = r.integer(Keys.TEST_MAX_ROWS, 1, 1_000_000);
        Monitor monitor = new Monitor(r.bool(Keys.MONITOR_ENABLED),
                r.text(Keys.MONITOR_SCHEDULE, SCHEDULE, "an EventBridge Scheduler expression such as \"cron(10 * * * ? *)\" "
                        + "(10 minutes past every hour) or \"rate(1 hour)\""),
                r.text(Keys.MONITOR_INSTANCE_TYPE, INSTANCE_TYPE, "a SageMaker Processing instance type such as ml.t3.medium"),
                r.integer(Keys.MONITOR_MAX_RUNTIME_SECONDS, 60, 86_400),
                r.text(Keys.MONITOR_NAMESPACE, NAMESPACE, "a CloudWatch namespace (1-255 characters, not starting with AWS/)"),
                r.bool(Keys.MONITOR_RETRAIN_ON_DRIFT),
                r.integer(Keys.MONITOR_RETRAIN_MIN_INTERVAL_HOURS, 1, 720));
        DevEndpoint devEndpoint = devEndpoint(r);
        Source source = source(r);
        if (!r.problems.isEmpty()) {
            throw new InvalidConfigException(r.problems);
        }
        return new MlopsConfig(project, model, email, removal.equals("destroy"), retention, branch, dev, prd,
                new Autoscaling(min, max, target), new BlueGreen(canary, bake, termination, capture),
                new Alarms(max5xx, latency), new SystemTestThresholds(auc, p99, rows), monitor, devEndpoint, source);
    }

    private static DevEndpoint devEndpoint(Reader r) {
        String mode = r.raw(Keys.DEV_MODE).toLowerCase(Locale.ROOT);
        if (!mode.equals("serverless") && !mode.equals("instance")) {
            r.fail(Keys.DEV_MODE, mode, "\"serverless\" (no instance, no cost when idle, cold starts) or \"instance\""
                    + " (one always-on " + Keys.DEV_INSTANCE_TYPE + " instance, the behaviour before serverless)");
        }
        int memory = r.integer(Keys.DEV_SERVERLESS_MEMORY_MB, 1024, 6144);
        if (memory > 0 && !SERVERLESS_MEMORY_MB.contains(memory)) {
            r.fail(Keys.DEV_SERVERLESS_MEMORY_MB, memory, "one of " + new TreeSet<>(SERVERLESS_MEMORY_MB)
                    + " (ServerlessConfig.MemorySizeInMB takes 1 GB steps; SageMaker API Reference)");
        }
        int concurrency = r.integer(Keys.DEV_SERVERLESS_MAX_CONCURRENCY, 1, 200);
        boolean delete = r.bool(Keys.DEV_DELETE_AFTER_APPROVAL);
        return new DevEndpoint(mode.equals("serverless"), memory, concurrency, delete);
    }

    private static Source source(Reader r) {
        String kind = r.raw(Keys.SOURCE).toLowerCase(Locale.ROOT);
        if (!kind.equals("codecommit") && !kind.equals("codeconnections")) {
            r.fail(Keys.SOURCE, kind, "\"codecommit\" (the seeded CodeCommit repository) or \"codeconnections\""
                    + " (GitHub etc. through a connection: also set " + Keys.SOURCE_CONNECTION_ARN + ", " + Keys.SOURCE_OWNER
                    + ", " + Keys.SOURCE_REPO + ")");
        }
        boolean connections = kind.equals("codeconnections");
        String arn = r.raw(Keys.SOURCE_CONNECTION_ARN);
        String owner = r.raw(Keys.SOURCE_OWNER);
        String repo = r.raw(Keys.SOURCE_REPO);
        List<String> paths = r.list(Keys.SOURCE_FILE_PATHS);
        if (connections) {
            if (!CONNECTION_ARN.matcher(arn).matches()) {
                r.fail(Keys.SOURCE_CONNECTION_ARN, arn, "the ARN of an AVAILABLE connection, like"
                        + " arn:aws:codeconnections:eu-west-1:123456789012:connection/<uuid> (or the older"
                        + " arn:aws:codestar-connections:... form); create it in the console (Developer Tools > Connections)"
                        + " and finish the handshake with GitHub");
            }
            if (!GIT_OWNER.matcher(owner).matches()) {
                r.fail(Keys.SOURCE_OWNER, owner, "the repository owner (GitHub user or organization), e.g. my-org");
            }
            if (!GIT_REPO.matcher(repo).matches()) {
                r.fail(Keys.SOURCE_REPO, repo, "the repository name without the owner and without .git, e.g. mlops-pipeline");
            }
            if (paths != null && (paths.isEmpty() || paths.size() > 8
                    || paths.stream().anyMatch(p -> p.isBlank() || p.length() > 255))) {
                r.fail(Keys.SOURCE_FILE_PATHS, paths, "1 to 8 glob patterns of at most 255 characters, e.g."
                        + " [\"model-container/**\", \"etl/**\"] (CodePipeline GitFilePathFilterCriteria.includes)");
            }
        } else {
            for (String key : List.of(Keys.SOURCE_CONNECTION_ARN, Keys.SOURCE_OWNER, Keys.SOURCE_REPO)) {
                if (!r.raw(key).isEmpty()) {
                    r.fail(key, r.raw(key), "\"\" while " + Keys.SOURCE + " is codecommit (it is read only with "
                            + Keys.SOURCE + "=codeconnections: set that too, or remove " + key + ")");
                }
            }
        }
        return new Source(connections, arn, owner, repo, paths == null ? List.of() : paths);
    }

    /** The defaults alone (tests, docs). */
    public static MlopsConfig defaults() {
        return from(k -> null, Set.of());
    }

    /** Model package group name: {@code <project>-<model>}. */
    public String modelPackageGroupName() {
        return projectName + "-" + modelName;
    }

    /** Endpoint name of a stage, e.g. {@code mlops-dev}. */
    public String endpointName(EndpointSettings stage) {
        return projectName + "-" + stage.stage().id();
    }

    /** Stack name of a stage's endpoint stack (deployed by the pipeline), e.g. {@code mlops-endpoint-prd}. */
    public String endpointStackName(EndpointSettings stage) {
        return projectName + "-endpoint-" + stage.stage().id();
    }

    /** Thrown when context is invalid; lists every problem with its fix. */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        InvalidConfigException(List<String> problems) {
            super("invalid CDK context (cdk.json \"context\" or -c key=value):\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private static final class Reader {
        final Function<String, Object> context;
        final List<String> problems = new ArrayList<>();

        Reader(Function<String, Object> context) {
            this.context = context;
        }

        Object value(String key) {
            Object v = context.apply(key);
            return v == null ? Keys.DEFAULTS.get(key) : v;
        }

        String raw(String key) {
            return Objects.toString(value(key), "").trim();
        }

        void fail(String key, Object value, String expected) {
            problems.add(key + " = " + quote(value) + " is invalid: expected " + expected + ". Fix: set \"" + key
                    + "\" in cdk.json (context) or pass -c " + key + "=<value>.");
        }

        String text(String key, Pattern pattern, String expected) {
            String v = raw(key);
            if (!pattern.matcher(v).matches()) {
                fail(key, v, expected);
            }
            return v;
        }

        int integer(String key, int min, int max) {
            Object v = value(key);
            long n;
            try {
                if (v instanceof Number num) {
                    double d = num.doubleValue();
                    if (d != Math.rint(d)) {
                        throw new NumberFormatException();
                    }
                    n = (long) d;
                } else {
                    n = Long.parseLong(Objects.toString(v, "").trim());
                }
            } catch (NumberFormatException e) {
                fail(key, v, "a whole number between " + min + " and " + max);
                return -1;
            }
            if (n < min || n > max) {
                fail(key, v, "a whole number between " + min + " and " + max);
                return -1;
            }
            return (int) n;
        }

        double decimal(String key, double min, double max) {
            Object v = value(key);
            double d;
            try {
                d = v instanceof Number num ? num.doubleValue() : Double.parseDouble(Objects.toString(v, "").trim());
            } catch (NumberFormatException e) {
                fail(key, v, "a number between " + min + " and " + max);
                return -1;
            }
            if (!(d >= min && d <= max)) {
                fail(key, v, "a number between " + min + " and " + max);
                return -1;
            }
            return d;
        }

        boolean bool(String key) {
            Object v = value(key);
            if (v instanceof Boolean b) {
                return b;
            }
            String s = Objects.toString(v, "").trim().toLowerCase(Locale.ROOT);
            if (!s.equals("true") && !s.equals("false")) {
                fail(key, v, "true or false");
                return false;
            }
            return s.equals("true");
        }

        /** A list from cdk.json (JSON array) or from -c (a JSON array or comma-separated text); null when invalid. */
        List<String> list(String key) {
            Object v = value(key);
            if (v instanceof List<?> items) {
                return list(key, items);
            }
            String s = Objects.toString(v, "").trim();
            if (s.startsWith("[")) {
                try {
                    return list(key, new com.fasterxml.jackson.databind.ObjectMapper().readValue(s, List.class));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    fail(key, v, "a JSON array of strings, e.g. [\"etl/**\",\"model-container/**\"], or comma-separated patterns");
                    return null;
                }
            }
            List<String> out = new ArrayList<>();
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }

        private List<String> list(String key, List<?> items) {
            List<String> out = new ArrayList<>();
            for (Object item : items) {
                out.add(Objects.toString(item, "").trim());
            }
            return out;
        }

        private static String quote(Object value) {
            return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
        }
    }
}
