package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.ReplayResult;

/** An older incarnation of this node whose log still holds open decisions, for recovery to finish. */
public record DeadIncarnation(long incarnation, ReplayResult replay) {
}
