package io.mlops.infra.constructs;

import io.mlops.contract.RunPaths;
import io.mlops.infra.validation.NagIds;
import io.mlops.infra.validation.Suppress;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.CfnBucket;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/** Properties of {@link PipelineStorage}. */
public record PipelineStorageProps(RemovalPolicy removalPolicy, int noncurrentVersionDays) {

    /** Defaults: retain on delete, noncurrent object versions kept 30 days. */
    public static PipelineStorageProps defaults() {
        return new PipelineStorageProps(RemovalPolicy.RETAIN, 30);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private RemovalPolicy removalPolicy = RemovalPolicy.RETAIN;
        private int noncurrentVersionDays = 30;

        public Builder removalPolicy(RemovalPolicy value) {
            this.removalPolicy = value;
            return this;
        }

        public Builder noncurrentVersionDays(int value) {
            this.noncurrentVersionDays = value;
            return this;
        }

        public PipelineStorageProps build() {
            return new PipelineStorageProps(removalPolicy, noncurrentVersionDays);
        }
    }
}
