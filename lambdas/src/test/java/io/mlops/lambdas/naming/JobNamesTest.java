package io.mlops.lambdas.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobNamesTest {

    @Test
    void keepsTheExecutionIdReadableWhenItFits() {
        assertThat(JobNames.forExecution("mlops", "train", "0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f", 1))
                .isEqualTo("mlops-train-0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f");
        assertThat(JobNames.forExecution("mlops", "train", "0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f", 2))
                .isEqualTo("mlops-train-0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f-2");
    }

    @Test
    void isDeterministicSoARelaunchFindsItsJob() {
        String exec = UUID.randomUUID().toString();
        assertThat(JobNames.forExecution("a-very-long-project-name-for-the-bank", "evaluation", exec, 3))
                .isEqualTo(JobNames.forExecution("a-very-long-project-name-for-the-bank", "evaluation", exec, 3));
    }

    /** Property: for thousands of random prefixes, kinds and execution ids, every name is valid. */
    @Test
    void namesAreAlwaysValidForRandomInputs() {
        Random random = new Random(20261122L);
        String alphabet = "abcXYZ019-_.:/ @#é\u00a0\t-";
        Map<String, String> identityByName = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            String prefix = randomString(random, alphabet, random.nextInt(90));
            String kind = random.nextBoolean() ? "train" : randomString(random, alphabet, random.nextInt(12));
            String exec = random.nextInt(4) == 0 ? randomString(random, alphabet, random.nextInt(120))
                    : UUID.randomUUID().toString();
            int attempt = 1 + random.nextInt(12);
            String name = JobNames.forExecution(prefix, kind, exec, attempt);
            assertThat(name).as("prefix=%s kind=%s exec=%s attempt=%d", prefix, kind, exec, attempt)
                    .hasSizeLessThanOrEqualTo(63).matches(JobNames.VALID);
            String identity = prefix + "\u0000" + kind + "\u0000" + exec + "\u0000" + attempt;
            String previous = identityByName.put(name, identity);
            if (previous != null && !previous.equals(identity)) {
                // Distinct inputs may only collide when they sanitise to the same readable text.
                assertThat(sanitisedKey(previous)).as("collision between %s and %s", previous, identity)
                        .isEqualTo(sanitisedKey(identity));
            }
        }
    }

    @Test
    void longExecutionIdsStayDistinct() {
        String common = "x".repeat(100);
        String a = JobNames.forExecution("mlops", "train", common + "-a", 1);
        String b = JobNames.forExecution("mlops", "train", common + "-b", 1);
        assertThat(a).hasSizeLessThanOrEqualTo(63).isNotEqualTo(b);
        assertThat(JobNames.forExecution("mlops", "train", common + "-a", 7)).endsWith("-7").hasSizeLessThanOrEqualTo(63);
    }

    @Test
    void aPrefixWithNoUsableCharactersStillGivesAValidName() {
        assertThat(JobNames.forExecution("---", "", "@@@", 1)).matches(JobNames.VALID);
    }

    @Test
    void failsOnANonPositiveAttempt() {
        assertThatThrownBy(() -> JobNames.forExecution("p", "k", "e", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempt must be >= 1, got 0");
    }

    private static String sanitisedKey(String identity) {
        String[] parts = identity.split("\u0000", -1);
        return JobNames.sanitise(parts[0] + "-" + parts[1]) + "|" + JobNames.sanitise(parts[2]) + "|" + parts[3];
    }

    private static String randomString(Random random, String alphabet, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
