package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.systemtests.cli.UsageException;
import io.mlops.systemtests.endpoint.EndpointTestSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint check's minimum ROC AUC has one owner: cdk.json's context, as the deployed DEV test. */
class CdkContextTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path repo;

    private CdkContext.Setting read(String cdkJson) throws IOException {
        Files.writeString(repo.resolve("cdk.json"), cdkJson);
        return CdkContext.minRocAuc(repo);
    }

    @Test
    void readsTheNewKeyBeforeTheFormerName() throws IOException {
        CdkContext.Setting s = read("{\"app\": \"x\", \"context\": {\"mlops:thresholds:minRocAuc\": 0.7, "
                + "\"mlops:systemTest:minRocAuc\": 0.81}}");

        assertThat(s.value()).isEqualTo(0.81);
        assertThat(s.source()).isEqualTo("cdk.json mlops:systemTest:minRocAuc");
        assertThat(s).hasToString("0.81 from cdk.json mlops:systemTest:minRocAuc");
    }

    @Test
    void fallsBackToTheFormerNameAndSaysSo() throws IOException {
        CdkContext.Setting s = read("{\"context\": {\"mlops:thresholds:minRocAuc\": 0.77}}");

        assertThat(s.value()).isEqualTo(0.77);
        assertThat(s.source()).isEqualTo("cdk.json mlops:thresholds:minRocAuc (former name of mlops:systemTest:minRocAuc)");
    }

    @Test
    void takesANumericStringAsTheCdkPassesContextFromTheCommandLine() throws IOException {
        assertThat(read("{\"context\": {\"mlops:systemTest:minRocAuc\": \" 0.9 \"}}").value()).isEqualTo(0.9);
    }

    @Test
    void usesTheEndpointTestDefaultWhenNeitherKeyIsSet() throws IOException {
        CdkContext.Setting s = read("{\"context\": {\"mlops:projectName\": \"mlops\"}}");

        assertThat(s.value()).isEqualTo(EndpointTestSettings.DEFAULT_MIN_ROC_AUC);
        assertThat(s.source()).startsWith("the default: ").contains(repo.resolve("cdk.json").toString())
                .contains("mlops:systemTest:minRocAuc").contains("mlops:thresholds:minRocAuc");
    }

    @Test
    void usesTheDefaultWithoutACdkJson() {
        CdkContext.Setting s = CdkContext.minRocAuc(repo);

        assertThat(s.value()).isEqualTo(EndpointTestSettings.DEFAULT_MIN_ROC_AUC);
        assertThat(s.source()).startsWith("the default: ");
    }

    @Test
    void failsOnAValueOutOfRangeNamingFileKeyAndValue() {
        assertThatThrownBy(() -> read("{\"context\": {\"mlops:systemTest:minRocAuc\": 1.5}}"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(repo.resolve("cdk.json").toString())
                .hasMessageContaining("mlops:systemTest:minRocAuc must be a number between 0.5 and 1")
                .hasMessageContaining("received 1.5");
    }

    @Test
    void failsOnANonNumericValueOfTheFormerName() {
        assertThatThrownBy(() -> read("{\"context\": {\"mlops:thresholds:minRocAuc\": \"high\"}}"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("mlops:thresholds:minRocAuc must be a number").hasMessageContaining("\"high\"");
    }

    @Test
    void failsOnACdkJsonThatIsNotJson() {
        assertThatThrownBy(() -> read("{\"context\": "))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(repo.resolve("cdk.json") + " is not readable JSON");
    }

    @Test
    void theRepositorysCdkJsonLeavesTheMinimumToTheSharedDefault() {
        // cdk.json sets no context defaults (they live in infra's MlopsConfig.Keys.DEFAULTS, which takes the DEV
        // test's from the contract): the local run then uses the same contract default as the AWS pipeline.
        CdkContext.Setting s = CdkContext.minRocAuc(REPO);

        assertThat(s.source()).startsWith("the default");
        assertThat(s.value()).isEqualTo(io.mlops.contract.actions.EndpointTest.DEFAULT_MIN_ROC_AUC);
    }
}
