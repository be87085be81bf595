package dev.lockstep.tm.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table is {@link Settings#BUILDER}, rendered: this test fails when they differ (run with
 * -Dlockstep.renderSettings=true to rewrite the table between its markers), so a bound or default cannot change in
 * the code without the README.
 */
class SettingsTableTest {

    static final String BEGIN = "<!-- settings table: rendered from dev.lockstep.tm.settings.Settings by "
            + "SettingsTableTest; edit the descriptors, then run mvn -pl txmanager test -Dtest=SettingsTableTest "
            + "-Dlockstep.renderSettings=true -->";
    static final String END = "<!-- end of settings table -->";

    @Test
    void readmeTableMatchesTheDescriptors() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int from = text.indexOf(BEGIN);
        int to = text.indexOf(END);
        assertTrue(from >= 0 && to > from, "README.md has no settings table between the markers " + BEGIN
                + " and " + END);
        String rendered = text.substring(0, from + BEGIN.length()) + "\n" + render() + text.substring(to);
        if (Boolean.getBoolean("lockstep.renderSettings")) {
            Files.writeString(readme, rendered, StandardCharsets.UTF_8);
        }
        if (!Files.readString(readme, StandardCharsets.UTF_8).equals(rendered)) {
            fail("README.md's settings table does not match dev.lockstep.tm.settings.Settings; regenerate it with "
                    + "mvn -pl txmanager test -Dtest=SettingsTableTest -Dlockstep.renderSettings=true");
        }
    }

    static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("| setting (builder, JNDI) | Spring Boot property | unit, bounds | default | meaning |\n")
          .append("|---|---|---|---|---|\n");
        for (Setting<?> s : Settings.BUILDER) {
            sb.append("| `").append(s.name()).append("` | ")
              .append(s.propertyKey() == null ? "–" : "`lockstep." + s.propertyKey() + "`").append(" | ")
              .append(s.unit()).append(" | ").append(s.defaultText()).append(" | ").append(s.meaning()).append(" |\n");
        }
        return sb.toString();
    }

    @Test
    void everyDefaultIsWithinItsBoundsAndReadsBackFromItsText() {
        for (Setting<?> s : Settings.BUILDER) {
            check(s);
        }
        check(Settings.ORPHAN_SAFETY_INTERVAL);
    }

    private static <T> void check(Setting<T> s) {
        if (s.required()) {
            assertEquals("is missing", s.problem(null), s.name());
            return;
        }
        assertEquals(null, s.problem(s.defaultValue()), s.name());
        if (s.readsText()) {
            assertEquals(s.defaultValue(), s.parse(s.format(s.defaultValue())), s.name());
        }
    }

    @Test
    void errorsNameTheSettingTheBoundAndWhereToSetIt() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Settings.GROUP_COMMIT_MAX_WAIT.require(java.time.Duration.ofSeconds(2)));
        assertEquals("groupCommitMaxWait must be between 0s and 1s, got 2s: give "
                + "Lockstep.Builder.groupCommitMaxWait(…) (JNDI attribute groupCommitMaxWait, Spring Boot property lockstep.group-commit-max-wait) a value "
                + "within 0s–1s", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Settings.LOG_SEGMENT_BYTES.require(2L << 30));
        assertTrue(e.getMessage().startsWith("logSegmentBytes must be between 65536 (64 KiB) and 1073741824 (1 GiB), "
                + "got 2147483648 (2 GiB): "), e.getMessage());
        assertTrue(e.getMessage().contains("lockstep.log-segment-size"), e.getMessage());
    }
}
