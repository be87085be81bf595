package dev.lockstep.recoveryservice;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;

/** Runs the command line in-process, as the jar would, with captured stdout and stderr. */
final class Cli {

    /** What a command printed and its exit code. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Map<String, String> env;
    private final StopSignal stop;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    Cli(Map<String, String> env, StopSignal stop) {
        this.env = env;
        this.stop = stop;
    }

    static Result run(String... args) {
        return new Cli(Map.of(), new StopSignal()).execute(args);
    }

    Result execute(String... args) {
        CommandLine cl = RecoveryServiceCommand.commandLine(env, stop, Clock.systemUTC());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Writes a configuration file into {@code dir} and returns its path. */
    static Path config(Path dir, String... lines) throws IOException {
        Path file = dir.resolve("recovery.properties");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }
}
