package dev.lockstep.recoveryservice;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The README's table of the service's keys states each duration's unit, bound and default as its {@link Setting}
 * descriptor does (the builder's table is rendered whole, by SettingsTableTest in txmanager).
 */
class ReadmeSettingsTest {

    @Test
    void durationRowsMatchTheDescriptors() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Map<String, Setting<Duration>> keys = Map.of(ServiceConfig.SCAN_INTERVAL, ServiceConfig.SCAN_INTERVAL_SETTING,
                ServiceConfig.ORPHAN_SAFETY_INTERVAL, Settings.ORPHAN_SAFETY_INTERVAL,
                ServiceConfig.RETRY_INITIAL_DELAY, ServiceConfig.RETRY_INITIAL_DELAY_SETTING,
                ServiceConfig.RETRY_MAX_DELAY, ServiceConfig.RETRY_MAX_DELAY_SETTING);
        keys.forEach((key, setting) -> {
            String row = "| `" + key + "` | " + setting.unit() + " | " + setting.defaultText() + " |";
            assertTrue(readme.contains(row), "README.md has no row starting " + row);
        });
    }
}
