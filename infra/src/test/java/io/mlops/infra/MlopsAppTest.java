package io.mlops.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.infra.config.MlopsConfig;
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
        assertThat(cdkJson).contains("-f infra/pom.xml").contains("-Dexec.mainClass=" + MlopsApp.class.getName());
    }

    @Test
    void everyContextKeyIsDocumented() throws Exception {
        String doc = Files.readString(TestApps.REPO_ROOT.resolve("docs/configuration.md"));
        for (String key : MlopsConfig.Keys.DEFAULTS.keySet()) {
            assertThat(doc).as("docs/configuration.md documents " + key).contains("`" + key + "`");
        }
    }
}
