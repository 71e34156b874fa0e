package io.mlops.systemtests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    private static CommandLine cli() {
        return new CommandLine("tool", "A tool.")
                .option("rate", "RPS", "requests per second")
                .option("duration", "TIME", "how long")
                .option("name", "NAME", "a name")
                .flag("quiet", "no output");
    }

    @Test
    void readsSpaceAndEqualsFormsFlagsAndDefaults() {
        CommandLine cli = cli().parse(new String[] {"--rate", "12.5", "--duration=2m", "--quiet"});
        assertThat(cli.doubleValue("rate")).contains(12.5);
        assertThat(cli.duration("duration", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
        assertThat(cli.has("quiet")).isTrue();
        assertThat(cli.string("name", "fallback")).isEqualTo("fallback");
        assertThatThrownBy(() -> cli.string("colour")).isInstanceOf(IllegalStateException.class)
                .hasMessage("option --colour is not declared");
    }

    @Test
    void parsesDurationsWithUnits() {
        assertThat(CommandLine.parseDuration("d", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(CommandLine.parseDuration("d", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(CommandLine.parseDuration("d", "30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(CommandLine.parseDuration("d", "1.5m")).isEqualTo(Duration.ofSeconds(90));
        assertThat(CommandLine.parseDuration("d", "1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void failsOnUnknownRepeatedOrValuelessOptionsNamingThem() {
        assertThatThrownBy(() -> cli().parse(new String[] {"--rat", "1"}))
                .isInstanceOf(UsageException.class).hasMessage("unknown option --rat (did you mean --rate?); see --help");
        assertThatThrownBy(() -> cli().parse(new String[] {"--colour", "1"}))
                .hasMessage("unknown option --colour; see --help");
        assertThatThrownBy(() -> cli().parse(new String[] {"--rate", "1", "--rate", "2"}))
                .hasMessage("--rate is given twice; give it once");
        assertThatThrownBy(() -> cli().parse(new String[] {"--rate", "--quiet"}))
                .hasMessage("--rate needs a value: --rate RPS");
        assertThatThrownBy(() -> cli().parse(new String[] {"--quiet=yes"}))
                .hasMessage("--quiet takes no value; received 'yes'");
        assertThatThrownBy(() -> cli().parse(new String[] {"stray"}))
                .hasMessageContaining("unexpected argument 'stray'");
    }

    @Test
    void failsOnValuesOfTheWrongKind() {
        assertThatThrownBy(() -> cli().parse(new String[] {"--rate", "fast"}).doubleValue("rate"))
                .hasMessage("--rate must be a number; received 'fast'");
        assertThatThrownBy(() -> cli().parse(new String[] {"--name", "x"}).longValue("name", 1))
                .hasMessage("--name must be a whole number; received 'x'");
        assertThatThrownBy(() -> cli().parse(new String[] {"--duration", "5 minutes"}).duration("duration", Duration.ZERO))
                .hasMessageContaining("--duration must be a duration like 30s");
        assertThatThrownBy(() -> cli().parse(new String[0]).required("name"))
                .hasMessage("--name NAME is required; see --help");
    }

    @Test
    void helpListsEveryOptionAligned() {
        String help = cli().help();
        assertThat(help).startsWith("A tool.\n\nUsage: tool [options]\n\nOptions:\n");
        assertThat(help).contains("  --help           print this help and exit\n")
                .contains("  --rate RPS       requests per second\n")
                .contains("  --quiet          no output\n");
    }
}
