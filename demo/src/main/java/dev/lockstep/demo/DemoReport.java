package dev.lockstep.demo;

import static dev.lockstep.demo.Timeline.n;

import dev.lockstep.demo.transfer.Checker;
import dev.lockstep.demo.transfer.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The demo's verdict, one line per promise, from what {@link Checker} read with plain clients after recovery:
 * every transfer in all three resources or none and no commit the application saw lost; balances that add up; each
 * event delivered once; nothing left in doubt; and the transfer that was in phase two at the kill committed
 * everywhere, since its COMMIT decision was durable before phase two began.
 */
final class DemoReport {

    /** One line of the report. */
    record CheckResult(String label, boolean ok, String text) {
    }

    private final List<CheckResult> checks = new ArrayList<>();

    /**
     * @param r          the Checker's reading after recovery
     * @param pausedId   the transfer held in phase two when the application was killed
     * @param seenByApp  transfers the application had seen commit (its last progress line before the kill)
     * @param scanExit   the recovery service's exit code
     */
    DemoReport(Checker.Report r, String pausedId, long seenByApp, int scanExit) {
        transfers(r, seenByApp);
        balances(r);
        events(r);
        int inDoubt = r.inDoubt().size();
        checks.add(new CheckResult("branches left in doubt", inDoubt == 0, inDoubt == 0 ? "0" : inDoubt + ": "
                + r.inDoubt()));
        Checker.Outcome outcome = r.outcomeOf(pausedId);
        checks.add(new CheckResult("transfer in phase two", outcome == Checker.Outcome.COMMITTED, pausedId + ": "
                + switch (outcome) {
                    case COMMITTED -> "committed everywhere, as decided before the kill";
                    case ROLLED_BACK -> "rolled back everywhere, although its COMMIT decision was durable";
                    case MIXED -> "in some resources only";
                }));
        if (scanExit != 0) {
            checks.add(new CheckResult("recovery scan", false,
                    "exit " + scanExit + " (0 means nothing left in doubt)"));
        }
    }

    private void transfers(Checker.Report r, long seenByApp) {
        Set<String> all = new TreeSet<>(r.pg().keySet());
        all.addAll(r.maria().keySet());
        all.addAll(r.messages().keySet());
        List<String> half = all.stream().filter(id -> r.outcomeOf(id) == Checker.Outcome.MIXED).toList();
        int committed = r.committed();
        boolean lost = committed < seenByApp;
        String text = n(committed) + ", each in PostgreSQL, MariaDB and Artemis"
                + (half.isEmpty() ? "" : "; " + half.size() + " half done: " + first(half))
                + (lost ? "; but the application saw " + n(seenByApp) + " commit before the kill"
                        : " (the application saw " + n(seenByApp) + " before the kill)");
        checks.add(new CheckResult("transfers committed", half.isEmpty() && !lost, text));
    }

    private void balances(Checker.Report r) {
        long opened = Workload.ACCOUNTS * Workload.INITIAL;
        long outOfPg = sum(r.pg());
        long intoMaria = sum(r.maria());
        boolean ok = r.pgAccounts() == Workload.ACCOUNTS && r.mariaAccounts() == Workload.ACCOUNTS
                && r.pgSum() == opened - outOfPg && r.mariaSum() == opened + intoMaria && outOfPg == intoMaria;
        String text = ok
                ? "yes: " + n(outOfPg) + " moved from PostgreSQL to MariaDB = the sum of the transfers; total "
                        + n(r.pgSum() + r.mariaSum()) + " unchanged"
                : "no: PostgreSQL " + n(r.pgSum()) + " (opened " + n(opened) + ", transfers out " + n(outOfPg)
                        + "), MariaDB " + n(r.mariaSum()) + " (opened " + n(opened) + ", transfers in "
                        + n(intoMaria) + ")";
        checks.add(new CheckResult("balances consistent", ok, text));
    }

    private void events(Checker.Report r) {
        Map<String, Integer> delivered = r.messages();
        long messages = delivered.values().stream().mapToLong(Integer::longValue).sum();
        long duplicates = delivered.values().stream().mapToLong(c -> c - 1).sum();
        Set<String> missing = new TreeSet<>(r.pg().keySet());
        missing.removeAll(delivered.keySet());
        Set<String> strays = new TreeSet<>(delivered.keySet());
        strays.removeAll(r.pg().keySet());
        boolean ok = duplicates == 0 && missing.isEmpty() && strays.isEmpty();
        String text = (ok ? "yes: " : "no: ") + n(messages) + " messages, " + n(duplicates) + " duplicates, "
                + n(missing.size()) + " missing" + (strays.isEmpty() ? "" : ", " + strays.size()
                        + " of transfers that did not commit: " + first(List.copyOf(strays)));
        checks.add(new CheckResult("events delivered exactly once", ok, text));
    }

    private static long sum(Map<String, Long> amounts) {
        return amounts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String first(List<String> ids) {
        return ids.size() <= 3 ? String.join(", ", ids) : String.join(", ", ids.subList(0, 3)) + ", ...";
    }

    List<CheckResult> checks() {
        return checks;
    }

    boolean ok() {
        return checks.stream().allMatch(CheckResult::ok);
    }
}
