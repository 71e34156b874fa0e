package io.mlops.infra.constructs;

import io.mlops.contract.Monitoring;
import java.util.Objects;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.codepipeline.IPipeline;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;

/**
 * Properties of {@link DriftMonitor}.
 *
 * @param endpointName the endpoint whose capture is monitored (PRD)
 * @param capturePrefix the endpoint's data capture key prefix in the artifact bucket, e.g. {@code datacapture/prd/}
 * @param outputPrefix where the reports go, default {@value #DEFAULT_OUTPUT_PREFIX}
 * @param modelPackageGroup the registry group the serving model's package belongs to
 * @param schedule EventBridge Scheduler expression, default {@value #DEFAULT_SCHEDULE}
 * @param instanceType Processing instance type, default {@value #DEFAULT_INSTANCE_TYPE}
 * @param maxRuntimeSeconds the job's maximum runtime, default 1800
 * @param namespace CloudWatch namespace, default {@link Monitoring#DEFAULT_NAMESPACE}
 * @param pipeline the pipeline a drift alarm starts; null: no retrain on drift
 * @param retrainMinIntervalHours at most one retrain per this many hours, default 24
 */
public record DriftMonitorProps(String endpointName, PipelineStorage storage, IRepository repository, Code handlerCode,
        String jobNamePrefix, String capturePrefix, String outputPrefix, String modelPackageGroup, String schedule,
        String instanceType, int maxRuntimeSeconds, String namespace, ITopic alarmTopic, IPipeline pipeline,
        int retrainMinIntervalHours, RetentionDays logRetention, RemovalPolicy logRemoval) {
    public static final String DEFAULT_OUTPUT_PREFIX = "monitoring/";
    public static final String DEFAULT_SCHEDULE = "cron(10 * * * ? *)";
    public static final String DEFAULT_INSTANCE_TYPE = "ml.t3.medium";

    public DriftMonitorProps {
        Objects.requireNonNull(endpointName, "endpointName");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(handlerCode, "handlerCode");
        Objects.requireNonNull(jobNamePrefix, "jobNamePrefix");
        Objects.requireNonNull(capturePrefix, "capturePrefix");
        Objects.requireNonNull(modelPackageGroup, "modelPackageGroup");
        Objects.requireNonNull(alarmTopic, "alarmTopic");
        Objects.requireNonNull(logRetention, "logRetention");
        Objects.requireNonNull(logRemoval, "logRemoval");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; required: endpointName, storage, repository, handlerCode, jobNamePrefix, capturePrefix, modelPackageGroup, alarmTopic, logRetention, logRemoval. */
    public static final class Builder {
        private String endpointName;
        private PipelineStorage storage;
        private IRepository repository;
        private Code handlerCode;
        private String jobNamePrefix;
        private String capturePrefix;
        private String outputPrefix = DEFAULT_OUTPUT_PREFIX;
        private String modelPackageGroup;
        private String schedule = DEFAULT_SCHEDULE;
        private String instanceType = DEFAULT_INSTANCE_TYPE;
        private int maxRuntimeSeconds = 1800;
        private String namespace = Monitoring.DEFAULT_NAMESPACE;
        private ITopic alarmTopic;
        private IPipeline pipeline;
        private int retrainMinIntervalHours = 24;
        private RetentionDays logRetention;
        private RemovalPolicy logRemoval;

        public Builder endpointName(String v) { this.endpointName = v; return this; }
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        /** The model image repository (the job runs the serving model's image from it). */
        public Builder repository(IRepository v) { this.repository = v; return this; }
        public Builder handlerCode(Code v) { this.handlerCode = v; return this; }
        public Builder jobNamePrefix(String v) { this.jobNamePrefix = v; return this; }
        public Builder capturePrefix(String v) { this.capturePrefix = v; return this; }
        /** Optional; default {@value DriftMonitorProps#DEFAULT_OUTPUT_PREFIX}. */
        public Builder outputPrefix(String v) { this.outputPrefix = v; return this; }
        public Builder modelPackageGroup(String v) { this.modelPackageGroup = v; return this; }
        /** Optional; default {@value DriftMonitorProps#DEFAULT_SCHEDULE}. */
        public Builder schedule(String v) { this.schedule = v; return this; }
        /** Optional; default {@value DriftMonitorProps#DEFAULT_INSTANCE_TYPE}. */
        public Builder instanceType(String v) { this.instanceType = v; return this; }
        /** Optional; default 1800. */
        public Builder maxRuntimeSeconds(int v) { this.maxRuntimeSeconds = v; return this; }
        /** Optional; default {@link Monitoring#DEFAULT_NAMESPACE}. */
        public Builder namespace(String v) { this.namespace = v; return this; }
        public Builder alarmTopic(ITopic v) { this.alarmTopic = v; return this; }
        /** Optional: the pipeline the drift alarm starts (retrain on drift); null (default) for none. */
        public Builder pipeline(IPipeline v) { this.pipeline = v; return this; }
        /** Optional; default 24. */
        public Builder retrainMinIntervalHours(int v) { this.retrainMinIntervalHours = v; return this; }
        public Builder logRetention(RetentionDays v) { this.logRetention = v; return this; }
        public Builder logRemoval(RemovalPolicy v) { this.logRemoval = v; return this; }

        public DriftMonitorProps build() {
            return new DriftMonitorProps(endpointName, storage, repository, handlerCode, jobNamePrefix, capturePrefix, outputPrefix,
                    modelPackageGroup, schedule, instanceType, maxRuntimeSeconds, namespace, alarmTopic, pipeline,
                    retrainMinIntervalHours, logRetention, logRemoval);
        }
    }
}
