package io.mlops.infra.constructs;

import io.mlops.infra.validation.Suppress;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codebuild.Cache;
import software.amazon.awscdk.services.codebuild.CloudWatchLoggingOptions;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.LocalCacheMode;
import software.amazon.awscdk.services.codebuild.LoggingOptions;
import software.amazon.awscdk.services.codebuild.PipelineProject;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.RepositoryEncryption;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import io.mlops.infra.validation.NagIds;
import software.amazon.awscdk.services.iam.IRole;
import software.constructs.Construct;

/** Properties of {@link ImageBuild}. Defaults: buildspec {@code model-container/buildspec.yml}, MEDIUM compute, 60 min, keep 50 images. */
public record ImageBuildProps(String repositoryName, PipelineStorage storage, String buildspecPath, ComputeType computeType, Duration timeout, int maxImages, RetentionDays logRetention, RemovalPolicy removalPolicy) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with documented defaults. */
    public static final class Builder {
        private String repositoryName;
        private PipelineStorage storage;
        private String buildspecPath = "model-container/buildspec.yml";
        private ComputeType computeType = ComputeType.MEDIUM;
        private Duration timeout = Duration.minutes(60);
        private int maxImages = 50;
        private RetentionDays logRetention = RetentionDays.ONE_YEAR;
        private RemovalPolicy removalPolicy = RemovalPolicy.RETAIN;

        public Builder repositoryName(String v) { this.repositoryName = v; return this; }
        public Builder storage(PipelineStorage v) { this.storage = v; return this; }
        public Builder buildspecPath(String v) { this.buildspecPath = v; return this; }
        public Builder computeType(ComputeType v) { this.computeType = v; return this; }
        public Builder timeout(Duration v) { this.timeout = v; return this; }
        public Builder maxImages(int v) { this.maxImages = v; return this; }
        public Builder logRetention(RetentionDays v) { this.logRetention = v; return this; }
        public Builder removalPolicy(RemovalPolicy v) { this.removalPolicy = v; return this; }

        public ImageBuildProps build() {
            return new ImageBuildProps(repositoryName, storage, buildspecPath, computeType, timeout, maxImages, logRetention, removalPolicy);
        }
    }
}
