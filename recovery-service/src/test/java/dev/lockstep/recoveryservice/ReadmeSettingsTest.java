package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tm.settings.Setting;
import dev.lockstep.tm.settings.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's tables of the service's keys state each setting as its {@link Setting} descriptor does: the rows of
 * the durations are checked, and the table of the HTTP side is rendered whole from {@link HttpSettings#ALL} (run
 * with -Dlockstep.renderSettings=true to rewrite it between its markers). The builder's table is rendered by
 * SettingsTableTest in txmanager.
 */
class ReadmeSettingsTest {

    static final String BEGIN = "<!-- http settings table: rendered from HttpSettings by ReadmeSettingsTest; edit the "
            + "descriptors, then run mvn -pl recovery-service -am test -Dtest=ReadmeSettingsTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dlockstep.renderSettings=true -->";
    static final String END = "<!-- end of http settings table -->";

    private static final Path README = Path.of("..", "README.md");

    @Test
    void durationRowsMatchTheDescriptors() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        Map<String, Setting<Duration>> keys = Map.of(ServiceConfig.SCAN_INTERVAL, ServiceConfig.SCAN_INTERVAL_SETTING,
                ServiceConfig.ORPHAN_SAFETY_INTERVAL, Settings.ORPHAN_SAFETY_INTERVAL,
                ServiceConfig.RETRY_INITIAL_DELAY, ServiceConfig.RETRY_INITIAL_DELAY_SETTING,
                ServiceConfig.RETRY_MAX_DELAY, ServiceConfig.RETRY_MAX_DELAY_SETTING);
        keys.forEach((key, setting) -> {
            String row = "| `" + key + "` | " + setting.unit() + " | " + setting.defaultText() + " |";
            assertTrue(readme.contains(row), "README.md has no row starting " + row);
        });
    }

    @Test
    void httpTableIsRenderedFromTheDescriptors() throws IOException {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        int from = text.indexOf(BEGIN);
        int to = text.indexOf(END);
        assertTrue(from >= 0 && to > from, "README.md has no HTTP settings table between the markers " + BEGIN
                + " and " + END);
        String rendered = text.substring(0, from + BEGIN.length()) + "\n" + render() + text.substring(to);
        if (Boolean.getBoolean("lockstep.renderSettings")) {
            Files.writeString(README, rendered, StandardCharsets.UTF_8);
        }
        if (!Files.readString(README, StandardCharsets.UTF_8).equals(rendered)) {
            fail("README.md's HTTP settings table does not match HttpSettings; regenerate it with mvn -pl "
                    + "recovery-service -am test -Dtest=ReadmeSettingsTest -Dsurefire.failIfNoSpecifiedTests=false "
                    + "-Dlockstep.renderSettings=true");
        }
    }

    static String render() {
        StringBuilder sb = new StringBuilder("| key | unit / format | default | meaning |\n|---|---|---|---|\n");
        for (Setting<?> s : HttpSettings.ALL) {
            sb.append("| `").append(s.propertyKey()).append("` | ").append(s.unit()).append(" | ")
                    .append(s.defaultText()).append(" | ").append(s.meaning()).append(" |\n");
        }
        return sb.toString();
    }
}
