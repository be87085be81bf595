package dev.lockstep.it.crash;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.Endpoints;
import dev.lockstep.demo.transfer.XaBranches;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** What every crash test does around a run: unique node ids, a directory per run, a clean slate first. */
final class CrashRuns {

    /** Every node id of the crash tests starts with this, so leftovers are recognised (and nothing else touched). */
    static final String NODE_PREFIX = "crash-";

    private CrashRuns() {
    }

    /** A node id unique to this run: {@code crash-<what>-<random hex>}, at most 34 characters. */
    static String nodeId(String what) {
        String id = NODE_PREFIX + what + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000,
                0x1000000));
        if (id.length() > 34) {
            throw new IllegalArgumentException("node id too long: " + id);
        }
        return id;
    }

    /** A fresh directory for the run's log and outputs: {@code target/crash/<node>}. */
    static Path runDir(String node) throws IOException {
        Path dir = Path.of("target", "crash", node).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * Rolls back every prepared branch of a crash-test node on every server (leftovers of an earlier test that
     * failed before its recovery ran) and empties the transfers queue, so a failed test does not poison the next.
     */
    static void cleanSlate(Endpoints all) throws Exception {
        List<XaBranches.InDoubtBranch> rolledBack = XaBranches.rollBack(all, n -> n.startsWith(NODE_PREFIX));
        int purged = all.withBroker() ? Checker.purgeQueue(all) : 0;
        if (!rolledBack.isEmpty() || purged > 0) {
            System.out.println("[crash] clean slate: rolled back " + rolledBack.size() + " leftover branch(es) "
                    + rolledBack + ", dropped " + purged + " leftover message(s)");
        }
    }
}
