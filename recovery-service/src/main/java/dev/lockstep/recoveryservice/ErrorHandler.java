package dev.lockstep.recoveryservice;

import dev.lockstep.tm.log.CorruptLogException;
import dev.lockstep.tm.recovery.RecoveryLockedException;
import dev.lockstep.tm.recovery.ResolveRefusedException;
import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Turns what a command throws into its exit code and one logfmt error line (per problem) on stderr. */
final class ErrorHandler implements IExecutionExceptionHandler {

    private final Clock clock;

    ErrorHandler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        EventLog events = new EventLog(cl.getOut(), cl.getErr(), clock);
        if (ex instanceof ConfigException c) {
            for (ConfigException.Problem p : c.problems()) {
                events.error("config_error").add("key", p.key()).add("detail", p.message()).print();
            }
            return ExitCodes.USAGE;
        }
        if (ex instanceof RecoveryLockedException l) {
            events.error("locked").add("node", l.nodeId()).add("lock_file", l.lockFile()).add("detail", l.getMessage())
                    .print();
            return ExitCodes.LOCKED;
        }
        if (ex instanceof ResolveRefusedException r) {
            events.error("resolve_refused").add("detail", r.getMessage()).print();
            return ExitCodes.RESOLVE_REFUSED;
        }
        if (ex instanceof CorruptLogException c) {
            events.error("log_unusable").add("file", c.file()).add("offset", c.offset()).add("detail", c.getMessage())
                    .print();
            return ExitCodes.LOG_UNUSABLE;
        }
        events.error("internal_error").add("error", ex.toString()).add("detail", ServiceMessage.INTERNAL_ERROR
                + " unexpected failure; the stack trace follows: report it with the command and its configuration "
                + "(without passwords)").print();
        events.stackTrace(ex);
        PrintWriter err = cl.getErr();
        err.flush();
        return ExitCodes.INTERNAL_ERROR;
    }
}
