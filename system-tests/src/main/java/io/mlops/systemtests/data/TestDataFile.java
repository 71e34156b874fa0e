package io.mlops.systemtests.data;

import java.io.IOException;
import java.io.InputStream;

/** One CSV file of a test split: a local file or an S3 object. */
public interface TestDataFile {
    /** Where it is, for messages and the report ({@code s3://b/k} or a path). */
    String name();

    /** Opens the (decompressed, for {@code .csv.gz}) content; the caller closes it. */
    InputStream open() throws IOException;
}
