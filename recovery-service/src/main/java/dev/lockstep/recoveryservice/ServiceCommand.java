package dev.lockstep.recoveryservice;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryListener;
import dev.lockstep.tm.spi.RecoverableResource;
import dev.lockstep.tm.store.PostgresDecisionStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
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
        Recovery.Builder b = Recovery.builder();
        if (cfg.decisionStore() != null) {
            b.decisionStore(decisionStore(cfg.decisionStore()));
        } else {
            b.logDirectory(cfg.logDirectory());
        }
        if (cfg.allNodes()) {
            b.allNodes();
        } else {
            b.nodeIds(cfg.nodes());
        }
        b.resources(resources).orphanSafetyInterval(cfg.orphanSafetyInterval())
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

    /**
     * The decision store of {@code decision.store.*} over a small pool of plain connections, kept for the life of the
     * process (a command runs once; the daemon for as long as it runs).
     */
    final PostgresDecisionStore decisionStore(ServiceConfig.StoreConfig c) throws ConfigException {
        try {
            return PostgresDecisionStore.builder(LockstepDataSources.decisionStore(c.url(), c.user(), c.password(), 3))
                    .schema(c.schema()).lease(c.lease()).build();
        } catch (SQLException | RuntimeException e) {
            throw new ConfigException(ServiceConfig.DECISION_STORE_PREFIX + "url", "the decision store at "
                    + c.url() + " cannot be opened: " + e.getMessage(), e);
        }
    }

    static String join(List<String> values) {
        return values.isEmpty() ? "none" : String.join(",", values);
    }
}
