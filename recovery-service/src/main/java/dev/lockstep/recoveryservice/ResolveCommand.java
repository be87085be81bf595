package dev.lockstep.recoveryservice;

import dev.lockstep.tm.spi.LockstepXids;
import dev.lockstep.tm.recovery.Recovery;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.Verdict;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resolve}: an operator's decision for one transaction ({@link Recovery#resolve}). */
@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = {"Decide a transaction that recovery will not finish on its own (typically one with a heuristic outcome): "
                + "commit or roll back every branch still in doubt, forget heuristic outcomes, and record the "
                + "decision in the owner's log. Prints every action. Takes the nodes' recovery locks: stop the "
                + "daemon first (exit 4 otherwise). Exit 0 when every action succeeded, 1 when the decision is "
                + "recorded but a branch could not be finished now (the scans go on with it), 5 if refused (rolling "
                + "back a transaction whose decision is commit, or a transaction whose owner is alive)."})
final class ResolveCommand extends ServiceCommand {

    @ArgGroup(exclusive = true, multiplicity = "1")
    VerdictOption decision;

    @Parameters(index = "0", paramLabel = "GTRID",
            description = "the global transaction id in hex, as 'list' prints it")
    String gtrid;

    /** Exactly one of the two. */
    static final class VerdictOption {
        @Option(names = "--commit", required = true, description = "commit every branch")
        boolean commit;

        @Option(names = "--rollback", required = true, description = "roll back every branch")
        boolean rollback;
    }

    @Override
    public Integer call() throws ConfigException {
        ServiceConfig cfg = config();
        String hex = checkedGtrid(cfg);
        Verdict verdict = decision.commit ? Verdict.COMMIT : Verdict.ROLLBACK;
        EventLog events = events();
        ActionPrinter printer = new ActionPrinter(events);
        try (Recovery recovery = openRecovery(cfg, cfg.createResources(), printer, false)) {
            List<RecoveryAction> actions = recovery.resolve(hex, verdict);
            printer.printMissed(actions);
            Resolution done = new Resolution(hex, verdict, actions);
            done.print(events);
            // The decision is recorded either way; a branch that could not be finished now is left to the scans,
            // and a script must not read that as done.
            return done.finished() ? ExitCodes.OK : ExitCodes.IN_DOUBT;
        }
    }

    /** The gtrid in lower case, if it is hex of a Lockstep transaction of a configured node. */
    private String checkedGtrid(ServiceConfig cfg) throws ConfigException {
        String hex = gtrid.trim().toLowerCase(Locale.ROOT);
        LockstepXids.GlobalId parsed = GtridText.parseHex(hex).orElse(null);
        if (parsed == null) {
            throw new ConfigException("GTRID", "GTRID '" + gtrid + "' is not the hex of a Lockstep global "
                    + "transaction id: copy it from the gtrid line of 'list' (or 'log dump')");
        }
        if (!cfg.allNodes() && !cfg.nodes().contains(parsed.nodeId())) {
            throw new ConfigException("GTRID", "transaction " + parsed.shortId() + " belongs to node '"
                    + parsed.nodeId() + "', which is not in " + ServiceConfig.NODES + " = " + join(cfg.nodes())
                    + ": add the node to " + ServiceConfig.NODES + " or use the configuration of the service that "
                    + "recovers it");
        }
        return hex;
    }
}
