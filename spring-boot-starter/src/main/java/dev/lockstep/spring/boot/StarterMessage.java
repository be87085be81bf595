package dev.lockstep.spring.boot;

import dev.lockstep.tm.messages.MessageId;

/**
 * The message ids of the Spring Boot starter, {@code LKS-800} to {@code LKS-899}: 80x starting from the lockstep.*
 * properties, 81x the in-process recovery scans, 82x the Actuator health indicator. (They moved from 6xx to 8xx
 * before 1.0: 6xx is the recovery service's.) Each id names one condition, with what it means and what to do;
 * docs/messages.md is rendered from this enum. Call sites keep their own, specific text and start it with the
 * constant: its {@code toString()} is the id.
 */
public enum StarterMessage implements MessageId {

    // 80x: starting from the lockstep.* properties
    PROPERTIES_INVALID(801,
            "The lockstep.* properties have problems; each is listed.",
            "Fix the properties the message names."),
    DATASOURCE_START_FAILED(802,
            "A DataSource of lockstep.datasources cannot start.",
            "Check its url, username and password, and that the database is up."),
    LOCKSTEP_START_FAILED(803,
            "Lockstep cannot start with the configured node id and log directory.",
            "Read the cause; usually the log directory cannot be opened."),
    DATASOURCE_URL_INVALID(804,
            "The url of a DataSource of lockstep.datasources is refused.",
            "Fix the url as the message says."),

    // 81x: in-process recovery
    SCAN_SKIPPED(811,
            "An in-process recovery scan was skipped: another recovery holds the node's logs.",
            "Nothing if a recovery service runs for this node; else find the other recovery."),
    SCAN_FAILED(812,
            "An in-process recovery scan failed; the next one runs at its interval.",
            "Read the stack trace; check the resources and the log directory."),
    SCAN_OUTLIVES_CLOSE(813,
            "A recovery scan still ran when the application closed; it is interrupted.",
            "Nothing: the next recovery finishes its work."),
    RECOVERY_RESOURCE_CLOSE_FAILED(814,
            "Closing a recovery resource failed.",
            "Check the resource; nothing else is affected."),
    RECOVERY_ACTION(815,
            "One action of an in-process recovery scan.",
            "Nothing: informational."),
    SCAN_CLEAN(816,
            "An in-process recovery scan left nothing behind.",
            "Nothing: informational."),
    SCAN_LEFT_WORK(817,
            "An in-process recovery scan left work for the next scan or an operator; the reasons follow.",
            "Read the reasons; resolve what an operator must with the recovery service."),
    RECOVERY_LISTENER_FAILED(818,
            "A RecoveryListener bean threw on a recovery event; the scan goes on and the listener keeps hearing.",
            "Fix the listener (the stack trace names it)."),

    // 82x: the Actuator health indicator 'lockstep' (its 'attention' detail)
    HEURISTICS_PRESENT(821,
            "Heuristic outcomes are recorded and no operator has resolved them yet: a resource decided a branch on its "
                    + "own, and the data may be inconsistent across resources.",
            "List them (GET /actuator/lockstep, or the recovery service's list), repair the data if needed, then "
                    + "resolve them with the recovery service."),
    IN_DOUBT_TOO_LONG(822,
            "A prepared branch has waited for phase two longer than lockstep.health.in-doubt-threshold.",
            "Find it with GET /actuator/lockstep (retrying branches, the last scan's in-doubt list) and bring its "
                    + "resource back; the retrier or recovery then finishes it."),
    RESOURCE_UNREACHABLE(823,
            "The last in-process recovery scan could not reach a resource.",
            "Check that the resource is up and that its user may list and finish prepared transactions.");

    private final MessageId.Entry entry;

    StarterMessage(int number, String meaning, String action) {
        this.entry = new MessageId.Entry(number, meaning, action);
    }

    @Override
    public MessageId.Entry entry() {
        return entry;
    }

    /** The id, {@code LKS-nnn}: what a message starts with. */
    @Override
    public String toString() {
        return id();
    }
}
