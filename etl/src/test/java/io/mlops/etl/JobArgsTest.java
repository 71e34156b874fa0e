package io.mlops.etl;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobArgsTest {
    @Test
    void parsesEveryArgument() {
        JobArgs args = JobArgs.parse(new String[] {"--input", "s3://b/datasets/bank.zip", "--output", "s3://a/runs/e1/etl/",
                "--settings", "s3://a/settings.json", "--execution-id", "e1", "--seed", "7", "--max-reject-fraction", "0.1",
                "--zip-member", "x.csv", "--split", "80/10/10", "--delimiter", ";", "--master", "local[4]"});
        assertThat(args.input()).isEqualTo("s3://b/datasets/bank.zip");
        assertThat(args.output()).isEqualTo("s3://a/runs/e1/etl/");
        assertThat(args.settings()).contains("s3://a/settings.json");
        assertThat(args.executionId()).contains("e1");
        assertThat(args.seed()).contains(7L);
        assertThat(args.maxRejectFraction()).contains(0.1);
        assertThat(args.zipMember()).contains("x.csv");
        assertThat(args.split()).contains("80/10/10");
        assertThat(args.delimiter()).contains(";");
        assertThat(args.master()).contains("local[4]");
    }

    @Test
    void acceptsNameEqualsValue() {
        JobArgs args = JobArgs.parse(new String[] {"--input=a.csv", "--output=out", "--seed=3"});
        assertThat(args.input()).isEqualTo("a.csv");
        assertThat(args.seed()).contains(3L);
    }

    @Test
    void failsOnAnUnknownArgumentListingTheKnownOnes() {
        assertThatThrownBy(() -> JobArgs.parse(new String[] {"--input", "a", "--output", "b", "--sed", "4"}))
                .isInstanceOf(EtlException.class)
                .hasMessageStartingWith("unknown argument '--sed'; known arguments:")
                .hasMessageContaining("--seed");
    }

    @Test
    void failsOnMissingRequiredArgumentsAndValues() {
        assertThatThrownBy(() -> JobArgs.parse(new String[] {"--output", "b"}))
                .isInstanceOf(EtlException.class).hasMessageStartingWith("missing required argument --input");
        assertThatThrownBy(() -> JobArgs.parse(new String[] {"--input", "a", "--output"}))
                .isInstanceOf(EtlException.class).hasMessageStartingWith("argument --output needs a value");
        assertThatThrownBy(() -> JobArgs.parse(new String[] {"--input", "a", "--output", "b", "--seed", "x"}))
                .isInstanceOf(EtlException.class).hasMessage("argument --seed must be an integer, got 'x'");
        assertThatThrownBy(() -> JobArgs.parse(new String[] {"--input", "a", "--input", "b", "--output", "c"}))
                .isInstanceOf(EtlException.class).hasMessageContaining("--input given twice");
    }

    @Test
    void glueParsingSkipsGluesOwnArguments() {
        List<String> ignored = new ArrayList<>();
        JobArgs args = JobArgs.parseGlue(new String[] {"--JOB_ID", "j_1", "--JOB_NAME", "etl", "--input", "s3://b/k.zip",
                "--job-bookmark-option", "job-bookmark-disable", "--output", "s3://a/o/", "--TempDir", "s3://t/"}, ignored);
        assertThat(args.input()).isEqualTo("s3://b/k.zip");
        assertThat(args.output()).isEqualTo("s3://a/o/");
        assertThat(ignored).containsExactly("--JOB_ID", "--JOB_NAME", "--job-bookmark-option", "--TempDir");
    }
}
