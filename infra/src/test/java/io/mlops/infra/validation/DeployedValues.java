package io.mlops.infra.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a deployed pipeline stack would pass: intrinsic functions of the synthesized pipeline template resolved
 * to the physical values CloudFormation would give (stack {@value #STACK} in {@value #REGION}, account
 * {@value #ACCOUNT}), and CodePipeline variables ({@code #{Namespace.Name}}) replaced by realistic values of
 * what the exporting action reports. A variable with no sample value fails: a new variable needs one here.
 */
public final class DeployedValues {
    public static final String STACK = "mlops-pipeline";
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";
    public static final String EXECUTION_ID = "3f2c8a1e-7b4d-4c9e-9a61-2d5e8f0b7c14";
    private static final Pattern VARIABLE = Pattern.compile("#\\{([A-Za-z0-9@_-]+)\\.([A-Za-z0-9@_-]+)}");
    private static final String DIGEST = "sha256:9b0c6f3e2a1d4c5b8e7f6a5d4c3b2a19081726354a5b6c7d8e9f0a1b2c3d4e5f";

    private final JsonNode resources;
    private final Map<String, String> variables = new LinkedHashMap<>();

    private DeployedValues(JsonNode template) {
        this.resources = template.path("Resources");
        String artifacts = physicalName(bucketLogicalId("Artifacts"));
        variables.put("codepipeline.PipelineExecutionId", EXECUTION_ID);
        variables.put("SourceVariables.CommitId", "4f1c2b7d9e0a3c5b6d8e7f9a0b1c2d3e4f5a6b7c");
        variables.put("Evaluate.ModelPackageArn", "arn:aws:sagemaker:" + REGION + ":" + ACCOUNT + ":model-package/mlops-bank-marketing/3");
        variables.put("Evaluate.ModelImageUri", ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com/mlops/bank-marketing@" + DIGEST);
        variables.put("Evaluate.ModelDataUrl", "s3://" + artifacts + "/runs/" + EXECUTION_ID + "/training/mlops-train-"
                + EXECUTION_ID.substring(0, 8) + "-1/output/model.tar.gz");
    }

    public static DeployedValues of(Path pipelineTemplate) {
        try {
            return new DeployedValues(new ObjectMapper().readTree(pipelineTemplate.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sample value of {@code Namespace.Name}. */
    public String variable(String reference) {
        String v = variables.get(reference);
        if (v == null) {
            throw new IllegalStateException("no sample value for the pipeline variable #{" + reference + "}: add a realistic"
                    + " value of what its action exports to " + DeployedValues.class.getSimpleName());
        }
        return v;
    }

    /** Resolves a template value (string, Ref, Fn::GetAtt, Fn::Join, Fn::Sub-free) and then its pipeline variables. */
    public String resolve(JsonNode value) {
        return substituteVariables(intrinsic(value));
    }

    /**
     * Only the intrinsic functions, pipeline variables left as written (the emulator resolves those from what
     * its actions exported).
     */
    public String resolveIntrinsics(JsonNode value) {
        return intrinsic(value);
    }

    /** The physical name (or ARN, for the types {@code Ref} gives an ARN) of a resource of the pipeline template. */
    public String physical(String logicalId) {
        return ref(logicalId);
    }

    public String substituteVariables(String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(variable(m.group(1) + "." + m.group(2))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String intrinsic(JsonNode v) {
        if (v.isTextual() || v.isNumber() || v.isBoolean()) {
            return v.asText();
        }
        if (v.has("Ref")) {
            return ref(v.path("Ref").asText());
        }
        if (v.has("Fn::GetAtt")) {
            return getAtt(v.path("Fn::GetAtt").path(0).asText(), v.path("Fn::GetAtt").path(1).asText());
        }
        if (v.has("Fn::Join")) {
            StringBuilder b = new StringBuilder();
            String sep = v.path("Fn::Join").path(0).asText();
            int i = 0;
            for (JsonNode part : v.path("Fn::Join").path(1)) {
                if (i++ > 0) {
                    b.append(sep);
                }
                b.append(intrinsic(part));
            }
            return b.toString();
        }
        throw new IllegalStateException("cannot resolve " + v + ": extend " + DeployedValues.class.getSimpleName());
    }

    private String ref(String id) {
        switch (id) {
            case "AWS::Region": return REGION;
            case "AWS::AccountId": return ACCOUNT;
            case "AWS::Partition": return "aws";
            case "AWS::URLSuffix": return "amazonaws.com";
            case "AWS::StackName": return STACK;
            default: break;
        }
        String type = type(id);
        return switch (type) {
            case "AWS::SNS::Topic" -> "arn:aws:sns:" + REGION + ":" + ACCOUNT + ":" + physicalName(id);
            case "AWS::StepFunctions::StateMachine" -> "arn:aws:states:" + REGION + ":" + ACCOUNT + ":stateMachine:" + physicalName(id);
            case "AWS::KMS::Key" -> "0b6f2c1e-4d3a-4b8e-9f71-2a6c5d8e9f01";
            default -> physicalName(id);
        };
    }

    private String getAtt(String id, String attribute) {
        String type = type(id);
        if (attribute.equals("Name") && type.equals("AWS::CodeCommit::Repository")) {
            return resources.path(id).path("Properties").path("RepositoryName").asText();
        }
        if (!attribute.equals("Arn")) {
            throw new IllegalStateException("no sample for Fn::GetAtt " + id + "." + attribute + " (" + type + ")");
        }
        return switch (type) {
            case "AWS::IAM::Role" -> "arn:aws:iam::" + ACCOUNT + ":role/" + physicalName(id);
            case "AWS::KMS::Key" -> "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/" + ref(id);
            case "AWS::S3::Bucket" -> "arn:aws:s3:::" + physicalName(id);
            case "AWS::Lambda::Function" -> "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + physicalName(id);
            default -> throw new IllegalStateException("no sample for Fn::GetAtt " + id + ".Arn (" + type + ")");
        };
    }

    private String type(String id) {
        JsonNode r = resources.path(id);
        if (r.isMissingNode()) {
            throw new IllegalStateException("Ref/GetAtt to '" + id + "', which is not a resource of the pipeline template");
        }
        return r.path("Type").asText();
    }

    /** A CloudFormation-generated physical name: stack name, logical id, random suffix (lower case for buckets). */
    private String physicalName(String id) {
        JsonNode props = resources.path(id).path("Properties");
        for (String key : new String[] {"BucketName", "TopicName", "RoleName", "FunctionName", "StateMachineName"}) {
            if (props.path(key).isTextual()) {
                return props.path(key).asText();
            }
        }
        String name = STACK + "-" + id + "-1A2B3C4D5E6F";
        if (type(id).equals("AWS::S3::Bucket")) {
            return name.toLowerCase(Locale.ROOT);
        }
        return name.length() <= 64 ? name : name.substring(0, 64);
    }

    private String bucketLogicalId(String hint) {
        var it = resources.fieldNames();
        while (it.hasNext()) {
            String id = it.next();
            if (resources.path(id).path("Type").asText().equals("AWS::S3::Bucket") && id.contains(hint)) {
                return id;
            }
        }
        throw new IllegalStateException("no bucket with '" + hint + "' in its logical id in the pipeline template");
    }
}
