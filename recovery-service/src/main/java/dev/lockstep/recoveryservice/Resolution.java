package dev.lockstep.recoveryservice;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.tm.recovery.RecoveryAction;
import dev.lockstep.tm.recovery.Verdict;
import java.util.List;
import java.util.Locale;

/**
 * What an operator's resolve did, the same for the {@code resolve} command and {@code POST /api/resolve}: its
 * actions, whether every one succeeded (else the decision is recorded and the scans finish the rest), its
 * {@code resolved} line and its JSON.
 *
 * @param gtrid the transaction, lower-case hex
 * @param verdict the operator's decision
 * @param actions what was done, in order
 */
record Resolution(String gtrid, Verdict verdict, List<RecoveryAction> actions) {

    Resolution {
        actions = List.copyOf(actions);
    }

    long failed() {
        return actions.stream().filter(a -> !a.ok()).count();
    }

    /** True if every action succeeded: nothing is left for the scans. */
    boolean finished() {
        return failed() == 0;
    }

    /** The {@code resolved} line: info, or warn when an action failed. */
    void print(EventLog events) {
        (finished() ? events.info("resolved") : events.warn("resolved")).add("gtrid", gtrid)
                .add("verdict", verdict.name().toLowerCase(Locale.ROOT)).add("actions", actions.size())
                .add("failed", failed()).print();
    }

    /** {@code {"gtrid", "verdict", "finished", "actions": [{"at", "kind", "ok", "node", "gtrid", "bqual", …}]}}. */
    String json() {
        ObjectNode root = HttpReply.JSON.createObjectNode().put("gtrid", gtrid)
                .put("verdict", verdict.name()).put("finished", finished());
        ArrayNode list = root.putArray("actions");
        for (RecoveryAction a : actions) {
            list.addObject().put("at", Logfmt.ts(a.at())).put("kind", a.kind().name()).put("ok", a.ok())
                    .put("node", a.nodeId()).put("gtrid", a.gtrid()).put("bqual", a.bqual())
                    .put("resource", a.resource()).put("detail", a.detail());
        }
        return HttpReply.write(root);
    }
}
