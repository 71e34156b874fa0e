package io.mlops.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.infra.config.MlopsConfig;
import io.mlops.infra.config.Regions;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlopsAppTest {

    @Test
    void failsSynthOnInvalidContextBeforeBuildingAnything() {
        assertThatThrownBy(() -> MlopsApp.build(TestApps.app(Map.of("mlops:prd:instanceCount", "1",
                "mlops:prd:minCapcity", 2)), TestApps.assets(), false))
                .isInstanceOf(MlopsConfig.InvalidConfigException.class)
                .hasMessageContaining("mlops:prd:instanceCount = \"1\" is invalid")
                .hasMessageContaining("unknown context key(s) [mlops:prd:minCapcity]");
    }

    @Test
    void cdkJsonRunsThisAppFromTheRepositoryRoot() throws Exception {
        String cdkJson = Files.readString(TestApps.REPO_ROOT.resolve("cdk.json"));
        // Through the reactor (-am): the contract module and the Lambda bundles are built from this checkout first.
        assertThat(cdkJson).contains("-pl lambdas,system-tests,infra -am package exec:java")
                .contains("-Dexec.mainClass=" + MlopsApp.class.getName()).doesNotContain("-f infra/pom.xml");
    }

    @Test
    void everyContextKeyIsDocumented() throws Exception {
        String doc = Files.readString(TestApps.REPO_ROOT.resolve("docs/configuration.md"));
        for (String key : MlopsConfig.Keys.DEFAULTS.keySet()) {
            assertThat(doc).as("docs/configuration.md documents " + key).contains("`" + key + "`");
        }
    }

    @Test
    void failsSynthInAnUnsupportedRegionWithTheSupportedListAndTheFix() {
        assertThatThrownBy(() -> MlopsApp.build(TestApps.app(Map.of()), TestApps.assets(), false, "123456789012", "ap-south-2"))
                .isInstanceOf(Regions.UnsupportedRegionException.class)
                .hasMessageContaining("AWS Region 'ap-south-2' is not supported")
                .hasMessageContaining("us-east-1, us-east-2").hasMessageContaining("eu-west-1")
                .hasMessageContaining("Fix: deploy to one of them");
    }

    @Test
    void synthesizesInASupportedRegion() {
        assertThat(MlopsApp.build(TestApps.app(Map.of()), TestApps.assets(), false, "123456789012", "eu-west-1").getRegion())
                .isEqualTo("eu-west-1");
    }

    @Test
    void docsListExactlyTheSupportedRegions() throws Exception {
        String doc = Files.readString(TestApps.REPO_ROOT.resolve("docs/configuration.md"));
        int start = doc.indexOf("\n## Regions");
        assertThat(start).as("docs/configuration.md has a \"## Regions\" section").isPositive();
        int end = doc.indexOf("\n## ", start + 1);
        String section = doc.substring(start, end < 0 ? doc.length() : end);
        java.util.Set<String> listed = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`([a-z]{2}-[a-z]+-[0-9])`").matcher(section);
        while (m.find()) {
            listed.add(m.group(1));
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(Regions.SUPPORTED);
    }
}
