package dev.lockstep.demo.transfer;

/** The size of the transfer workload of every crash run. */
public final class Workload {

    /** Accounts per run and database. */
    public static final int ACCOUNTS = 10;
    /** Opening balance of each account. */
    public static final long INITIAL = 1_000;

    private Workload() {
    }
}
