package dev.lockstep.tm.messages;

/**
 * The block of ids each module owns, as Artemis reserves a range of message codes per module: a module numbers its
 * messages only inside its own block, so ids stay unique across modules without the modules knowing each other's
 * catalogues. Gaps are room to grow; an id that was used once is not given to another condition later.
 */
public enum MessageRange {

    /** 0xx configuration and start, 1xx transactions, 2xx recovery. */
    TXMANAGER("txmanager", "TmMessage", 1, 299),
    JDBC("jdbc-wrappers", "JdbcMessage", 400, 449),
    JMS("jms-wrappers", "JmsMessage", 450, 499),
    HIBERNATE("hibernate", "HibernateMessage", 500, 549),
    RECOVERY_SERVICE("recovery-service", "ServiceMessage", 600, 699),
    SPRING_BOOT("spring-boot-starter", "StarterMessage", 800, 899);

    private final String module;
    private final String catalogue;
    private final int first;
    private final int last;

    MessageRange(String module, String catalogue, int first, int last) {
        this.module = module;
        this.catalogue = catalogue;
        this.first = first;
        this.last = last;
    }

    /** The Maven module (its directory) that owns the range. */
    public String module() {
        return module;
    }

    /** The simple name of the enum that holds the module's ids. */
    public String catalogue() {
        return catalogue;
    }

    public int first() {
        return first;
    }

    public int last() {
        return last;
    }

    public boolean contains(int number) {
        return number >= first && number <= last;
    }

    @Override
    public String toString() {
        return module + " " + MessageId.id(first) + " to " + MessageId.id(last);
    }
}
