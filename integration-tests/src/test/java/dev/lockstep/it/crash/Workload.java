package dev.lockstep.it.crash;

/** The size of the transfer workload of every crash run. */
final class Workload {

    /** Accounts per run and database. */
    static final int ACCOUNTS = 10;
    /** Opening balance of each account. */
    static final long INITIAL = 1_000;

    private Workload() {
    }
}
