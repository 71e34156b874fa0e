package io.mlops.lambdas.modelgroup;

import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.ListModelPackageGroupsResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageGroupSummary;

/**
 * Whether a model package group exists, without reading an error. SageMaker documents no error code for
 * a missing group (DescribeModelPackageGroup lists none; it answers a generic {@code ValidationException}),
 * and ListModelPackages of a missing group documents none either, so neither can tell "no group" from
 * "no packages". ListModelPackageGroups with {@code NameContains} returns every group whose name contains
 * the string: the group exists iff one of them has exactly this name. All pages are read (at most
 * {@value #MAX_PAGES} of 100). Lists are eventually consistent: a group created a moment ago may be missing.
 * IAM: {@code sagemaker:ListModelPackageGroups} on {@code *} (the action has no resource type).
 */
public final class ModelPackageGroups {
    static final int MAX_PAGES = 20;

    private ModelPackageGroups() {
    }

    /** The group of exactly this name, or empty when there is none. */
    public static Optional<ModelPackageGroupSummary> find(SageMakerClient sageMaker, String name) {
        String token = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            String next = token;
            ListModelPackageGroupsResponse list = sageMaker.listModelPackageGroups(r -> r.nameContains(name)
                    .maxResults(100).nextToken(next));
            Optional<ModelPackageGroupSummary> match = list.modelPackageGroupSummaryList().stream()
                    .filter(g -> name.equals(g.modelPackageGroupName())).findFirst();
            if (match.isPresent()) {
                return match;
            }
            token = list.nextToken();
            if (token == null || token.isEmpty()) {
                return Optional.empty();
            }
        }
        throw new IllegalStateException("ListModelPackageGroups(NameContains=" + name + ") returned more than "
                + MAX_PAGES + " pages without the group; narrow the group name or clean up groups containing it");
    }
}
