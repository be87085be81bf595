package dev.lockstep.recoveryservice;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The top of the command line. It holds what the commands take from outside (the environment that
 * {@code password.env} reads, the stop signal of {@code run}, the clock), so tests run every command in-process
 * with their own.
 */
@Command(name = "java -jar lockstep-recovery-service.jar",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Lockstep's recovery service: finishes the transactions a crash left in doubt, from the transaction "
                    + "managers' decision logs and the configured databases and brokers.",
            ""},
        subcommands = {RunCommand.class, ScanCommand.class, ListCommand.class, ResolveCommand.class,
            LogCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:something is left in doubt: scan left waiting branches, an unreachable resource or heuristics; "
                    + "resolve recorded the decision but could not finish every branch yet",
            "2:usage or configuration error (the message names the option or key and how to fix it)",
            "3:a decision log cannot be used (the message names file and offset)",
            "4:another recovery holds a node (a daemon, a scan, an application recovering in-process)",
            "5:resolve refused (it would break atomicity, or the owner is alive)",
            "6:unexpected failure (the stack trace is on stderr)"},
        footer = {"%nRun '<command> --help' for the options of a command. The configuration keys are listed in "
                + "lockstep-recovery.properties.example and in the README."})
public final class RecoveryServiceCommand implements Callable<Integer> {

    private final Map<String, String> environment;
    private final StopSignal stopSignal;
    private final Clock clock;

    @Spec
    CommandSpec spec;

    public RecoveryServiceCommand(Map<String, String> environment, StopSignal stopSignal, Clock clock) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.stopSignal = Objects.requireNonNull(stopSignal, "stopSignal");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The command line with the service's exit codes and error lines wired in. */
    public static CommandLine commandLine(Map<String, String> environment, StopSignal stopSignal, Clock clock) {
        CommandLine cl = new CommandLine(new RecoveryServiceCommand(environment, stopSignal, clock));
        cl.setExecutionExceptionHandler(new ErrorHandler(clock));
        return cl;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command: give one of run, scan, list, resolve, "
                + "log dump");
    }

    Map<String, String> environment() {
        return environment;
    }

    StopSignal stopSignal() {
        return stopSignal;
    }

    Clock clock() {
        return clock;
    }
}
