package dev.lockstep.jdbc;

import dev.lockstep.tm.messages.MessageId;

/**
 * The message ids of lockstep-jdbc, {@code LKS-400} to {@code LKS-449}: the pools, their enlistment and the PostgreSQL
 * and MySQL/MariaDB vendor classes. Each id names one condition, with what it means and what to do; docs/messages.md
 * is rendered from this enum. Call sites keep their own, specific text and start it with the constant: its {@code
 * toString()} is the id.
 *
 * <p>LKS-408 and LKS-417 were used by earlier versions and are not given to another condition.
 */
public enum JdbcMessage implements MessageId {

    CONNECTION_SETUP_FAILED(401,
            "Switching off autocommit of a pooled connection for a branch failed; the connection is flushed from "
            + "the pool.",
            "Check the database connection."),
    NO_POOL_FOR_RECOVERY(402,
            "Recovery asked a resource for a connection, but its DataSource is closed or was never started.",
            "Start the DataSource, or let the recovery service connect with its own settings."),
    RESOURCE_NAME_TAKEN(403,
            "A DataSource was created under a resource name the Lockstep already has.",
            "Give every DataSource its own stable, unique resource name, or close the other one first."),
    SECOND_CONNECTION(404,
            "The pool offered a second connection in a transaction that already has one.",
            "A bug in the pool integration: report it."),
    NO_XA_RESOURCE(405,
            "The DataSource produced a connection without an XAResource.",
            "Configure its connection provider as an XADataSource."),
    TRANSACTION_ROLLBACK_ONLY(406,
            "A connection was asked for in a transaction marked rollback-only.",
            "Roll the transaction back and begin a new one."),
    ENLIST_FAILED(407,
            "Enlisting a connection in the transaction failed.",
            "Read the cause (a Lockstep id and an XA code); check the database."),
    TRANSACTION_UNREADABLE(409,
            "The transaction of the current thread cannot be read.",
            "Read the cause; usually the Lockstep is closed."),
    POSTGRESQL_BRANCH_ABORTED(410,
            "A PostgreSQL branch in which a statement failed votes rollback (PostgreSQL would prepare nothing).",
            "Nothing: the transaction rolls back. Handle the statement's error in the application."),
    POSTGRESQL_SETTING_UNREADABLE(411,
            "PostgreSQL's answer to SHOW max_prepared_transactions is missing or not a number.",
            "Check that the URL points to a PostgreSQL server."),
    POSTGRESQL_TOO_FEW_PREPARED(412,
            "PostgreSQL's max_prepared_transactions is too low for the pool.",
            "Raise max_prepared_transactions to at least the pool's maximum size and restart PostgreSQL."),
    MYSQL_XA_RECOVER_REFUSED(413,
            "XA RECOVER was refused for lack of privilege (MySQL 8).",
            "Grant XA_RECOVER_ADMIN to the pool's user."),
    MYSQL_PINNED_XIDS(414,
            "A MySQL/MariaDB URL sets pinGlobalTxToPhysicalConnection=true.",
            "Remove it from the URL."),
    USED_OUTSIDE_ITS_START(415,
            "A connection obtained outside a transaction is used inside one.",
            "Close it and get a new connection after begin()."),
    USED_OUTSIDE_ITS_TRANSACTION(416,
            "A connection enlisted in a transaction is used outside it, or on another thread.",
            "Get a new connection for other work."),
    RETURN_TO_POOL_FAILED(418,
            "Returning a connection to its pool after completion failed.",
            "Check the database connection; the pool replaces it."),
    SERVER_CHECK_CONNECT_FAILED(419,
            "No connection could be opened to check the database server at start.",
            "Check the URL, the credentials and that the database is up."),
    DRIVER_MISSING(420,
            "A JDBC driver is not on the class path.",
            "Add the dependency the message names."),
    URL_REFUSED(421,
            "The driver's XADataSource refused a resource's URL.",
            "Fix the URL."),
    XA_DATASOURCE_UNCONFIGURABLE(422,
            "The driver's XADataSource class cannot be configured.",
            "Check the driver and its version."),
    MARIADB_BRANCH_DROPPED(423,
            "MariaDB answered XA_RBROLLBACK to the commit of a branch without writes that XA RECOVER no longer "
            + "lists; reported as XAER_NOTA.",
            "Nothing: there was nothing to commit, no data is lost."),
    TRANSACTION_ENDED(424,
            "A connection was asked for in a transaction that has ended (timed out, or completed on another "
            + "thread).",
            "Call rollback() to end it on this thread and begin a new one."),
    ENDED_DURING_HAND_OUT(425,
            "The transaction ended on another thread while its connection was being handed out.",
            "Call rollback() to end it on this thread and begin a new one.");

    private final MessageId.Entry entry;

    JdbcMessage(int number, String meaning, String action) {
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
