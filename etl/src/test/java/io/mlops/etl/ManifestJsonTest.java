package io.mlops.etl;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The manifest's JSON encoding: field names, order, nulls and the file's bytes (the Spark tests check the values). */
class ManifestJsonTest {
    @TempDir
    java.nio.file.Path dir;

    static EtlManifest manifest(String executionId, String member) {
        Map<String, Double> fractions = new LinkedHashMap<>();
        fractions.put("train", 0.7);
        fractions.put("validation", 0.15);
        fractions.put("test", 0.15);
        Map<String, Long> byReason = new TreeMap<>(Map.of("wrong_field_count", 1L));
        Map<String, EtlManifest.Split> splits = new LinkedHashMap<>();
        splits.put("train", new EtlManifest.Split(7, 2, 0.285714, List.of("train/part-00000.csv")));
        splits.put("validation", new EtlManifest.Split(2, 1, 0.5, List.of("validation/part-00000.csv")));
        splits.put("test", new EtlManifest.Split(2, 1, 0.5, List.of("test/part-00000.csv", "test/part-00001.csv")));
        return new EtlManifest(EtlManifest.VERSION, executionId,
                new EtlManifest.Source("s3://b/d.zip", member, "ab12", "zip", 1234, ";", List.of("d.csv")),
                new EtlManifest.Settings("bank-marketing", "s3://b/s.json", "cd34", 42L, fractions, 0.05, 2),
                13, 11, 1, new EtlManifest.Rejected(1, 0.076923, byReason, List.of("rejected/part-00000.csv")),
                splits, new EtlManifest.Output(7, List.of("baseline/part-00000.csv")),
                new EtlManifest.Valid(11, 4, 0.363636),
                new EtlManifest.Label("y", "yes", List.of("no"), "y"),
                List.of(new EtlSettings.Column("age", "numeric"), new EtlSettings.Column("job", "categorical")),
                List.of("duration"));
    }

    @Test
    void writesTheFieldsInTheContractOrderPrettyPrintedWithAFinalNewline() throws IOException {
        Path file = new Path(dir.resolve("manifest.json").toUri());
        ManifestJson.write(FileSystem.getLocal(new Configuration()), file, ManifestJson.encode(manifest("exec-1", "d/d.csv")));

        assertThat(Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8)).isEqualTo("""
                {
                  "manifestVersion" : 1,
                  "executionId" : "exec-1",
                  "source" : {
                    "uri" : "s3://b/d.zip",
                    "member" : "d/d.csv",
                    "sha256" : "ab12",
                    "format" : "zip",
                    "bytes" : 1234,
                    "delimiter" : ";",
                    "files" : [ "d.csv" ]
                  },
                  "settings" : {
                    "name" : "bank-marketing",
                    "uri" : "s3://b/s.json",
                    "sha256" : "cd34",
                    "seed" : 42,
                    "split" : {
                      "train" : 0.7,
                      "validation" : 0.15,
                      "test" : 0.15
                    },
                    "maxRejectFraction" : 0.05,
                    "partitions" : 2
                  },
                  "rowsRead" : 13,
                  "rowsWritten" : 11,
                  "duplicates" : 1,
                  "rejected" : {
                    "total" : 1,
                    "fraction" : 0.076923,
                    "byReason" : {
                      "wrong_field_count" : 1
                    },
                    "files" : [ "rejected/part-00000.csv" ]
                  },
                  "splits" : {
                    "train" : {
                      "rows" : 7,
                      "positives" : 2,
                      "positiveRate" : 0.285714,
                      "files" : [ "train/part-00000.csv" ]
                    },
                    "validation" : {
                      "rows" : 2,
                      "positives" : 1,
                      "positiveRate" : 0.5,
                      "files" : [ "validation/part-00000.csv" ]
                    },
                    "test" : {
                      "rows" : 2,
                      "positives" : 1,
                      "positiveRate" : 0.5,
                      "files" : [ "test/part-00000.csv", "test/part-00001.csv" ]
                    },
                    "baseline" : {
                      "rows" : 7,
                      "files" : [ "baseline/part-00000.csv" ]
                    }
                  },
                  "valid" : {
                    "rows" : 11,
                    "positives" : 4,
                    "positiveRate" : 0.363636
                  },
                  "label" : {
                    "column" : "y",
                    "positive" : "yes",
                    "negative" : [ "no" ],
                    "outputColumn" : "y"
                  },
                  "columns" : [ {
                    "name" : "age",
                    "type" : "numeric"
                  }, {
                    "name" : "job",
                    "type" : "categorical"
                  } ],
                  "droppedColumns" : [ "duration" ]
                }
                """);
    }

    @Test
    void writesAnAbsentExecutionIdAndMemberAsNull() {
        var json = ManifestJson.encode(manifest(null, null));

        assertThat(json.get("executionId").isNull()).isTrue();
        assertThat(json.at("/source/member").isNull()).isTrue();
        assertThat(json.at("/source/uri").asText()).isEqualTo("s3://b/d.zip");
    }

    @Test
    void failsToWriteWithThePathWhenTheFolderIsAFile() throws IOException {
        Files.writeString(dir.resolve("out"), "a file, not a folder");
        Path file = new Path(dir.resolve("out").toUri().toString() + "/manifest.json");

        assertThatThrownBy(() -> ManifestJson.write(FileSystem.getLocal(new Configuration()), file,
                ManifestJson.encode(manifest("exec-1", null))))
                .isInstanceOf(EtlException.class)
                .hasMessageStartingWith("cannot write " + file + ": ");
    }
}
