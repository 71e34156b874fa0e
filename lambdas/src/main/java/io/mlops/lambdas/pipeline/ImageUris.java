package io.mlops.lambdas.pipeline;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container image URIs for SageMaker jobs must be pinned to what this commit built: an ECR URI with
 * a tag other than {@code latest}, or an {@code @sha256:} digest. An untagged or {@code :latest}
 * URI would evaluate (and register) whatever image was pushed last, which is not reproducible.
 */
public final class ImageUris {
    /** {@code <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:<tag>|@sha256:<digest>)}. */
    static final Pattern ECR = Pattern.compile(
            "(?<registry>\\d{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?)"
                    + "/(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)"
                    + "(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
                    + "(?:@(?<digest>sha256:[a-f0-9]{64}))?");

    private ImageUris() {
    }

    /** The trimmed URI, or a configuration failure naming the parameter, the value and the fix. */
    public static String requirePinned(String value, String key) {
        String uri = UserParameters.requireText(value, key);
        Matcher m = ECR.matcher(uri);
        if (!m.matches()) {
            throw JobFailedException.configuration("user parameter '" + key + "' is not an ECR image URI: '" + uri
                    + "'. Expected <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> (the Build stage's "
                    + "#{BuildVariables.IMAGE_URI}).");
        }
        String tag = m.group("tag");
        String digest = m.group("digest");
        if (digest == null && tag == null) {
            throw JobFailedException.configuration("user parameter '" + key + "' is not pinned: '" + uri
                    + "' has no tag or digest, so SageMaker would use ':latest'. Pass the image built for this commit "
                    + "(tag = commit id, or @sha256:<digest>), e.g. #{BuildVariables.IMAGE_URI}.");
        }
        if (digest == null && "latest".equals(tag.toLowerCase(Locale.ROOT))) {
            throw JobFailedException.configuration("user parameter '" + key + "' uses the tag ':latest': '" + uri
                    + "'. ':latest' moves with every push, so the trained, evaluated and registered model could not "
                    + "be traced to this commit. Pass the commit-tagged image, e.g. #{BuildVariables.IMAGE_URI}.");
        }
        return uri;
    }
}
