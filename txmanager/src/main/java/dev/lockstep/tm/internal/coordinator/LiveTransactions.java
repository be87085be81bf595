package dev.lockstep.tm.internal.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The transactions begun and not yet completed, for the reaper and for draining on close. Every begin adds one and
 * every completion removes it, so this sits on the hot path of every transaction, one-phase and read-only ones too.
 *
 * <p>A table of slots indexed by a hash of the transaction's sequence number takes almost every transaction with one
 * compare-and-set in and one out: no lock, no allocation. Consecutive sequence numbers land far apart, so concurrent
 * committers do not share cache lines. A transaction whose slot is taken (by a long-running one) goes to an overflow
 * map. A ConcurrentHashMap alone locks a bin on every remove, and with more committing threads than cores a
 * preempted holder stalled the others for tens of milliseconds; a skip list never locks but cost 15% of the CPU of a
 * one-phase commit.
 */
final class LiveTransactions {

    private static final int SLOT_BITS = 12;

    private final AtomicReferenceArray<LockstepTransaction> slots = new AtomicReferenceArray<>(1 << SLOT_BITS);
    private final ConcurrentHashMap<Long, LockstepTransaction> overflow = new ConcurrentHashMap<>();

    void add(LockstepTransaction tx) {
        if (!slots.compareAndSet(slot(tx.sequence), null, tx)) {
            overflow.put(tx.sequence, tx);
        }
    }

    void remove(LockstepTransaction tx) {
        if (!slots.compareAndSet(slot(tx.sequence), tx, null)) {
            overflow.remove(tx.sequence, tx);
        }
    }

    /** A snapshot; a transaction begun or completed meanwhile may or may not be in it. */
    List<LockstepTransaction> snapshot() {
        List<LockstepTransaction> result = new ArrayList<>();
        for (int i = 0; i < slots.length(); i++) {
            LockstepTransaction tx = slots.get(i);
            if (tx != null) {
                result.add(tx);
            }
        }
        result.addAll(overflow.values());
        return result;
    }

    /** Fibonacci hashing: consecutive sequence numbers spread over the whole table. */
    private static int slot(long sequence) {
        return (int) ((sequence * 0x9E3779B97F4A7C15L) >>> (64 - SLOT_BITS));
    }
}
