package io.mlops.lambdas.registry;

import io.mlops.contract.Tags.PackageMetadata;
import io.mlops.lambdas.core.AwsErrors;
import io.mlops.lambdas.modelgroup.ModelPackageGroups;
import io.mlops.lambdas.pipeline.JobFailedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.InferenceSpecification;
import software.amazon.awssdk.services.sagemaker.model.ListModelPackagesResponse;
import software.amazon.awssdk.services.sagemaker.model.MetadataProperties;
import software.amazon.awssdk.services.sagemaker.model.MetricsSource;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import software.amazon.awssdk.services.sagemaker.model.ModelLifeCycle;
import software.amazon.awssdk.services.sagemaker.model.ModelMetrics;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageContainerDefinition;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSortBy;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSummary;
import software.amazon.awssdk.services.sagemaker.model.ModelQuality;
import software.amazon.awssdk.services.sagemaker.model.SortOrder;

/**
 * The SageMaker model registry calls of the pipeline handlers (Evaluate registers and finds packages,
 * ApproveModel approves them), and the tag and metadata keys they write. IAM:
 * {@code sagemaker:ListModelPackages}, {@code sagemaker:ListModelPackageGroups} ({@code *});
 * {@code sagemaker:DescribeModelPackage}, {@code sagemaker:CreateModelPackage},
 * {@code sagemaker:UpdateModelPackage} on {@code model-package/<group>/*} (and
 * {@code model-package-group/<group>} for CreateModelPackage).
 *
 * <p><b>ModelLifeCycle</b> (where each version is, issue 13): the registry records a stage per version, so it
 * answers "what is in PRD" ({@link #inStage}). Stage and StageStatus are free text to SageMaker (1-63 characters
 * of {@code [a-zA-Z0-9](-*[a-zA-Z0-9])*}, API Reference ModelLifeCycle); this pipeline writes the values of
 * {@link LifeCycle}: Evaluate registers {@code Development/InProgress} (gate passed) or
 * {@code Rejected/Rejected} (gate failed), ApproveModel sets {@code Development/Approved}, the PRD verify sets
 * {@code Production/Deployed} and the version previously in Production {@code Archived/Retired}.
 */
public final class ModelRegistryClient {
    // Tag and metadata keys: io.mlops.contract.Tags (shared with infra and the local run).

    /** Content types and instance types every registered package declares. */
    public static final List<String> CONTENT_TYPES = List.of("text/csv", "application/json");
    public static final List<String> TRANSFORM_INSTANCE_TYPES = List.of("ml.m5.large");
    /** How many pages (of 100, newest first) to search for a package this execution registered before. */
    public static final int EXISTING_SEARCH_PAGES = 3;

    /** A model package in the registry, with the container DEV is built from (ADR 0103). */
    public record Registered(String arn, String version, String approvalStatus, String image, String modelDataUrl,
            boolean reused) {
    }

    /**
     * The newest Approved package of a group: its version, customer metadata and the S3 URI its
     * ModelQuality statistics point at (null when it has none).
     */
    public record Approved(String arn, String version, Map<String, String> metadata, String statisticsUri) {
        /** The {@code metric.<metric>} metadata, or null. */
        public String recorded(String metric) {
            return metadata.get(PackageMetadata.METRIC_PREFIX + metric);
        }
    }

    /**
     * What CreateModelPackage registers in {@code group}: one container ({@code image}, {@code modelDataUrl}),
     * ModelQuality statistics at {@code statisticsUri}, MetadataProperties ({@code generatedBy}, {@code commitId}
     * when not null) and customer {@code metadata}; {@code clientToken} makes a repeated call idempotent.
     */
    public record NewPackage(String group, String description, String image, String modelDataUrl,
            ModelApprovalStatus status, String statisticsUri, String generatedBy, String commitId,
            Map<String, String> metadata, String clientToken, List<String> realtimeInstanceTypes) {

        /** The ModelLifeCycle a new package starts in: Rejected when the gate rejected it, else Development. */
        public LifeCycle lifeCycle() {
            return status == ModelApprovalStatus.REJECTED ? LifeCycle.REJECTED : LifeCycle.DEVELOPMENT_IN_PROGRESS;
        }
    }

    /** The ModelLifeCycle values this pipeline writes (docs/contracts/handlers.md). */
    public enum LifeCycle {
        /** Registered, quality gate passed, waiting for the manual approval. */
        DEVELOPMENT_IN_PROGRESS("Development", "InProgress"),
        /** Approved after the manual approval, not yet verified in PRD. */
        DEVELOPMENT_APPROVED("Development", "Approved"),
        /** Failed the quality gate (registered for the audit trail). */
        REJECTED("Rejected", "Rejected"),
        /** Verified as what the PRD endpoint serves. */
        PRODUCTION("Production", "Deployed"),
        /** Was in Production; a later version replaced it. */
        ARCHIVED("Archived", "Retired");

        private final String stage;
        private final String status;

        LifeCycle(String stage, String status) {
            this.stage = stage;
            this.status = status;
        }

        public String stage() {
            return stage;
        }

        public String status() {
            return status;
        }

        /** The API shape with {@code description} cut to the API's 1024 characters. */
        public ModelLifeCycle with(String description) {
            String d = description == null ? null
                    : description.length() <= 1024 ? description : description.substring(0, 1021) + "...";
            return ModelLifeCycle.builder().stage(stage).stageStatus(status).stageDescription(d).build();
        }
    }

    /** A version of the group in a given ModelLifeCycle stage (from ListModelPackages). */
    public record Staged(String arn, String version, String stage, String stageStatus) {
    }

    /** What {@link #recordProduction} changed: the version now in Production and those it moved to Archived. */
    public record Promotion(String arn, boolean alreadyProduction, List<String> archived) {
    }

    private final SageMakerClient sageMaker;

    public ModelRegistryClient(SageMakerClient sageMaker) {
        this.sageMaker = sageMaker;
    }

    /** Marker in the package description by which a re-invocation finds what this execution registered. */
    public static String executionMarker(String executionId) {
        return "pipeline execution " + executionId + ",";
    }

    /** A package description carrying the execution marker, cut to the API's 1024 characters. */
    public static String description(String executionId, String commitId, String summary) {
        String d = "Evaluated in " + executionMarker(executionId) + " commit "
                + (commitId == null ? "unknown" : commitId) + ": " + summary;
        return d.length() <= 1024 ? d : d.substring(0, 1021) + "...";
    }

    /**
     * CreateModelPackage's idempotency token (1-36 characters of [a-zA-Z0-9-]): 32 hex characters of
     * SHA-256 over the execution id and attempt, then {@code -<attempt>}.
     */
    public static String clientToken(String executionId, int attempt) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("evaluate\u0000" + executionId + "\u0000" + attempt).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 32) + "-" + attempt;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** {@code arn:...:model-package/<group>/<version>} → {@code <version>}. */
    public static String versionOf(String modelPackageArn) {
        int slash = modelPackageArn.lastIndexOf('/');
        return slash < 0 ? "?" : modelPackageArn.substring(slash + 1);
    }

    /** Whether the group of exactly this name exists ({@link ModelPackageGroups#find}). */
    public boolean groupExists(String group) {
        return ModelPackageGroups.find(sageMaker, group).isPresent();
    }

    /**
     * The package this execution registered before, if any: newest packages first, matched by the
     * description marker, confirmed by the {@code pipeline-execution-id} metadata.
     */
    public Optional<Registered> findRegistered(String group, String executionId) {
        String marker = executionMarker(executionId);
        String token = null;
        for (int page = 0; page < EXISTING_SEARCH_PAGES; page++) {
            String next = token;
            ListModelPackagesResponse list = sageMaker.listModelPackages(r -> r.modelPackageGroupName(group)
                    .sortBy(ModelPackageSortBy.CREATION_TIME).sortOrder(SortOrder.DESCENDING).maxResults(100).nextToken(next));
            for (ModelPackageSummary summary : list.modelPackageSummaryList()) {
                if (summary.modelPackageDescription() == null || !summary.modelPackageDescription().contains(marker)) {
                    continue;
                }
                DescribeModelPackageResponse d = sageMaker.describeModelPackage(r -> r.modelPackageName(summary.modelPackageArn()));
                if (executionId.equals(d.customerMetadataProperties().get(PackageMetadata.EXECUTION))) {
                    ModelPackageContainerDefinition container = firstContainer(d);
                    return Optional.of(new Registered(d.modelPackageArn(), String.valueOf(d.modelPackageVersion()),
                            d.modelApprovalStatusAsString(), container.image(), container.modelDataUrl(), true));
                }
            }
            token = list.nextToken();
            if (token == null || token.isBlank()) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * The newest Approved package of the group, or empty. An empty list means "no Approved package", never
     * "no group": callers prove the group exists first ({@link #groupExists}).
     */
    public Optional<Approved> newestApproved(String group) {
        ListModelPackagesResponse list = sageMaker.listModelPackages(r -> r.modelPackageGroupName(group)
                .modelApprovalStatus(ModelApprovalStatus.APPROVED)
                .sortBy(ModelPackageSortBy.CREATION_TIME).sortOrder(SortOrder.DESCENDING).maxResults(1));
        if (list.modelPackageSummaryList().isEmpty()) {
            return Optional.empty();
        }
        ModelPackageSummary newest = list.modelPackageSummaryList().get(0);
        DescribeModelPackageResponse d = sageMaker.describeModelPackage(r -> r.modelPackageName(newest.modelPackageArn()));
        String statistics = d.modelMetrics() == null || d.modelMetrics().modelQuality() == null
                || d.modelMetrics().modelQuality().statistics() == null ? null
                : d.modelMetrics().modelQuality().statistics().s3Uri();
        return Optional.of(new Approved(d.modelPackageArn(), String.valueOf(d.modelPackageVersion()),
                d.customerMetadataProperties(), statistics));
    }

    /**
     * CreateModelPackage of a versioned package. No Tags: a versioned package (ModelPackageGroupName given)
     * takes its group's tags, and the API Reference says no tag argument may be given then
     * (docs/contracts/aws-api.md).
     */
    public Registered create(NewPackage p) {
        MetadataProperties.Builder provenance = MetadataProperties.builder().generatedBy(p.generatedBy());
        if (p.commitId() != null) {
            provenance.commitId(p.commitId());
        }
        String arn = sageMaker.createModelPackage(r -> r
                .modelPackageGroupName(p.group())
                .modelPackageDescription(p.description())
                .inferenceSpecification(InferenceSpecification.builder()
                        .containers(ModelPackageContainerDefinition.builder()
                                .image(p.image()).modelDataUrl(p.modelDataUrl()).build())
                        .supportedContentTypes(CONTENT_TYPES)
                        .supportedResponseMIMETypes(CONTENT_TYPES)
                        .supportedRealtimeInferenceInstanceTypesWithStrings(p.realtimeInstanceTypes())
                        .supportedTransformInstanceTypesWithStrings(TRANSFORM_INSTANCE_TYPES)
                        .build())
                .modelApprovalStatus(p.status())
                .modelMetrics(ModelMetrics.builder().modelQuality(ModelQuality.builder()
                        .statistics(MetricsSource.builder().contentType("application/json").s3Uri(p.statisticsUri()).build())
                        .build()).build())
                .metadataProperties(provenance.build())
                .customerMetadataProperties(p.metadata())
                .modelLifeCycle(p.lifeCycle().with("Registered by " + p.generatedBy()))
                .clientToken(p.clientToken()))
                .modelPackageArn();
        return new Registered(arn, versionOf(arn), p.status().toString(), p.image(), p.modelDataUrl(), false);
    }

    /**
     * DescribeModelPackage of a package the pipeline registered. The API documents no error code for a
     * missing package (SageMaker answers a generic {@code ValidationException}); the message is never
     * parsed. A ValidationException fails the action with SageMaker's message and what to do; throttling
     * and server errors propagate.
     */
    public DescribeModelPackageResponse describe(String arn) {
        try {
            return sageMaker.describeModelPackage(r -> r.modelPackageName(arn));
        } catch (AwsServiceException e) {
            if (AwsErrors.hasCode(e, AwsErrors.VALIDATION_EXCEPTION)) {
                throw JobFailedException.jobFailed("SageMaker rejected DescribeModelPackage for " + arn + " ("
                        + AwsErrors.codeAndMessage(e) + "). If the package was deleted after the Evaluate action: Release "
                        + "a new change so Evaluate registers a new package.", e);
            }
            throw e;
        }
    }

    /**
     * UpdateModelPackage: ModelApprovalStatus {@code Approved} with this approval description, and ModelLifeCycle
     * {@code Development/Approved} (approved, not yet in PRD).
     */
    public void approve(String arn, String approvalDescription) {
        sageMaker.updateModelPackage(r -> r.modelPackageArn(arn)
                .modelApprovalStatus(ModelApprovalStatus.APPROVED)
                .approvalDescription(approvalDescription)
                .modelLifeCycle(LifeCycle.DEVELOPMENT_APPROVED.with(approvalDescription)));
    }

    /** UpdateModelPackage with only a ModelLifeCycle (the approval status and metadata stay as they are). */
    public void setLifeCycle(String arn, LifeCycle lifeCycle, String description) {
        sageMaker.updateModelPackage(r -> r.modelPackageArn(arn).modelLifeCycle(lifeCycle.with(description)));
    }

    /**
     * The versions of {@code group} whose ModelLifeCycle stage is {@code stage}, newest first, among the newest
     * {@value #EXISTING_SEARCH_PAGES} pages of 100 (ListModelPackages returns each summary's ModelLifeCycle).
     * "What is in PRD" is {@code inStage(group, "Production")}.
     */
    public List<Staged> inStage(String group, String stage) {
        List<Staged> found = new ArrayList<>();
        String token = null;
        for (int page = 0; page < EXISTING_SEARCH_PAGES; page++) {
            String next = token;
            ListModelPackagesResponse list = sageMaker.listModelPackages(r -> r.modelPackageGroupName(group)
                    .sortBy(ModelPackageSortBy.CREATION_TIME).sortOrder(SortOrder.DESCENDING).maxResults(100).nextToken(next));
            for (ModelPackageSummary summary : list.modelPackageSummaryList()) {
                ModelLifeCycle lc = summary.modelLifeCycle();
                if (lc != null && stage.equals(lc.stage())) {
                    found.add(new Staged(summary.modelPackageArn(), String.valueOf(summary.modelPackageVersion()),
                            lc.stage(), lc.stageStatus()));
                }
            }
            token = list.nextToken();
            if (token == null || token.isBlank()) {
                break;
            }
        }
        return List.copyOf(found);
    }

    /**
     * Records {@code arn} as the version in Production (ModelLifeCycle {@code Production/Deployed}) and moves every
     * other version of the group recorded in Production to {@code Archived/Retired}. Idempotent: a re-invocation
     * finds {@code arn} already in Production and nothing else there. The new version is recorded first, so an
     * interruption leaves two versions in Production (visible, fixed by the retry) rather than none.
     */
    public Promotion recordProduction(String group, String arn, String description) {
        List<Staged> before = inStage(group, LifeCycle.PRODUCTION.stage());
        boolean already = before.stream().anyMatch(s -> s.arn().equals(arn));
        if (!already) {
            setLifeCycle(arn, LifeCycle.PRODUCTION, description);
        }
        List<String> archived = new ArrayList<>();
        for (Staged other : before) {
            if (!other.arn().equals(arn)) {
                setLifeCycle(other.arn(), LifeCycle.ARCHIVED, "Replaced in Production by " + arn);
                archived.add(other.arn());
            }
        }
        return new Promotion(arn, already, List.copyOf(archived));
    }

    /**
     * The container of a package this execution registered (one container, as {@link #create} writes).
     * A package without one was not written by Evaluate: fail rather than deploy something else.
     */
    public static ModelPackageContainerDefinition firstContainer(DescribeModelPackageResponse d) {
        InferenceSpecification spec = d.inferenceSpecification();
        if (spec == null || !spec.hasContainers() || spec.containers().isEmpty()
                || spec.containers().get(0).image() == null || spec.containers().get(0).modelDataUrl() == null) {
            throw JobFailedException.jobFailed("model package " + d.modelPackageArn() + " carries this execution's "
                    + PackageMetadata.EXECUTION + " metadata but no InferenceSpecification container with Image and ModelDataUrl, "
                    + "so DEV cannot be built from it. Release a new change so Evaluate registers a new package.");
        }
        return spec.containers().get(0);
    }
}
