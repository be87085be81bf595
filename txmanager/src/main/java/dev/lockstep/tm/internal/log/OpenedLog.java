package dev.lockstep.tm.internal.log;

import java.util.List;

/** The result of {@link DecisionLog#open}: the new incarnation's writer and the older incarnations still in doubt. */
public record OpenedLog(DecisionLog log, List<DeadIncarnation> inDoubt) {

    public OpenedLog {
        inDoubt = List.copyOf(inDoubt);
    }
}
