package io.mlops.infra.constructs;

import java.nio.file.Path;
import java.util.List;
import software.amazon.awscdk.IgnoreMode;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.codecommit.Code;
import software.amazon.awscdk.services.codecommit.Repository;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.constructs.Construct;

/**
 * The CodeCommit repository the pipeline builds from, created with this project's own code as its
 * first commit on {@code branch}, so the pipeline has something to run right after
 * {@code cdk deploy}. The seed is the working tree minus {@code excludes} (build outputs,
 * dependencies); CloudFormation uses it only when it creates the repository.
 */
public final class SeededRepository extends Construct {


    private final Repository repository;
    private final Asset seed;

    public SeededRepository(Construct scope, String id, SeededRepositoryProps props) {
        super(scope, id);
        seed = Asset.Builder.create(this, "Seed")
                .path(props.seedDirectory().toString())
                .exclude(props.excludes())
                .ignoreMode(IgnoreMode.GIT)
                .build();
        repository = Repository.Builder.create(this, "Repository")
                .repositoryName(props.repositoryName())
                .description(props.description())
                .code(Code.fromAsset(seed, props.branch()))
                .build();
        repository.applyRemovalPolicy(props.removalPolicy());
    }

    public Repository repository() {
        return repository;
    }

    public Asset seed() {
        return seed;
    }
}
