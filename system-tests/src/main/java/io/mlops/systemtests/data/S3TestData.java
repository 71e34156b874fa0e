package io.mlops.systemtests.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The test split under an S3 prefix, e.g. {@code s3://artifacts/runs/<exec>/etl/test/}: ListObjectsV2
 * (all pages), then each CSV object is streamed with GetObject while it is scored. S3 errors (no
 * such bucket, access denied) propagate: they are infrastructure problems, not verdicts.
 */
public final class S3TestData implements TestData {
    private final S3Client s3;
    private final S3Location prefix;

    public S3TestData(S3Client s3, S3Location prefix) {
        this.s3 = s3;
        this.prefix = prefix.asPrefix();
    }

    @Override
    public String describe() {
        return prefix.toString();
    }

    @Override
    public List<TestDataFile> files() {
        List<TestDataFile> files = new ArrayList<>();
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(prefix.bucket()).prefix(prefix.key()).build();
        for (S3Object object : s3.listObjectsV2Paginator(request).contents()) {
            if (TestData.isCsv(object.key()) && object.size() != null && object.size() > 0) {
                files.add(file(object.key()));
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no non-empty .csv objects under " + prefix
                    + "; testDataUri must be the ETL's test split (runs/<exec>/etl/test/, part-*.csv) of a finished ETL run");
        }
        files.sort((a, b) -> a.name().compareTo(b.name()));
        return files;
    }

    private TestDataFile file(String key) {
        String name = "s3://" + prefix.bucket() + "/" + key;
        return new TestDataFile() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public InputStream open() throws IOException {
                ResponseInputStream<GetObjectResponse> raw =
                        s3.getObject(GetObjectRequest.builder().bucket(prefix.bucket()).key(key).build());
                return TestData.decoded(key, raw);
            }
        };
    }
}
