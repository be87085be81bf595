package dev.lockstep.recoveryservice;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code log}: commands on the decision logs themselves. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "Read the decision logs.",
        subcommands = LogDumpCommand.class)
final class LogCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command: give 'log dump'");
    }
}
