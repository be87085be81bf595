package dev.lockstep.recoveryservice;

import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.spi.RecoverableResource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every command shares: the {@code --config} option, the output, and the way a {@link Recovery} is built. */
abstract class ServiceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "the service's configuration, a properties file (see "
                    + "lockstep-recovery.properties.example)")
    Path configFile;

    final RecoveryServiceCommand root() {
        return (RecoveryServiceCommand) spec.root().userObject();
    }

    final ServiceConfig config() throws ConfigException {
        return ServiceConfig.load(configFile, root().environment());
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final EventLog events() {
        return new EventLog(spec.commandLine().getOut(), spec.commandLine().getErr(), root().clock());
    }

    /**
     * Builds the recovery of the configured nodes and resources. Unless {@code readOnly}, this takes the nodes'
     * recovery locks: a {@link dev.lockstep.tm.recovery.RecoveryLockedException} (exit 4) if another recovery holds
     * one.
     */
    final Recovery openRecovery(ServiceConfig cfg, List<RecoverableResource> resources, RecoveryListener listener,
            boolean readOnly) throws ConfigException {
        Recovery.Builder b = Recovery.builder().logDirectory(cfg.logDirectory()).nodeIds(cfg.nodes())
                .resources(resources).orphanSafetyInterval(cfg.orphanSafetyInterval())
                .retryInitialDelay(cfg.retryInitialDelay()).retryMaxDelay(cfg.retryMaxDelay())
                .clock(root().clock()).listener(listener).readOnly(readOnly);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // ServiceConfig checks what build() checks; this is the net under a rule added to build() later.
            throw new ConfigException(null, "the configuration in " + configFile + " was refused: " + e.getMessage(),
                    e);
        }
    }

    static String join(List<String> values) {
        return values.isEmpty() ? "none" : String.join(",", values);
    }
}
