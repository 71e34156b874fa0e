package io.mlops.infra.constructs;

import java.nio.file.Path;
import java.util.List;
import software.amazon.awscdk.IgnoreMode;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.codecommit.Code;
import software.amazon.awscdk.services.codecommit.Repository;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.constructs.Construct;

/** Properties of {@link SeededRepository}. */
public record SeededRepositoryProps(String repositoryName, String description, Path seedDirectory, List<String> excludes, String branch, RemovalPolicy removalPolicy) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every property is required unless its setter says otherwise (no defaults). */
    public static final class Builder {
        private String repositoryName;
        private String description;
        private Path seedDirectory;
        private List<String> excludes;
        private String branch;
        private RemovalPolicy removalPolicy;

        /** Required. */
        public Builder repositoryName(String v) { this.repositoryName = v; return this; }
        /** Required. */
        public Builder description(String v) { this.description = v; return this; }
        /** Required. */
        public Builder seedDirectory(Path v) { this.seedDirectory = v; return this; }
        /** Required. */
        public Builder excludes(List<String> v) { this.excludes = v; return this; }
        /** Required. */
        public Builder branch(String v) { this.branch = v; return this; }
        /** Required. */
        public Builder removalPolicy(RemovalPolicy v) { this.removalPolicy = v; return this; }

        public SeededRepositoryProps build() {
            return new SeededRepositoryProps(repositoryName, description, seedDirectory, excludes, branch, removalPolicy);
        }
    }
}
