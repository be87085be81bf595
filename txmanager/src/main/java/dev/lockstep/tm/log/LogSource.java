package dev.lockstep.tm.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where {@link LogReader} reads a node's files: the plain file system for the recovery service and {@code log dump},
 * the log's own storage (a simulated disk in tests) for the writer, the opener and recovery.
 */
public interface LogSource {

    /** The entries of {@code dir}; empty if it does not exist. */
    List<Path> list(Path dir) throws IOException;

    /** The whole content of {@code file}, or {@code null} if it does not exist. */
    byte[] read(Path file) throws IOException;

    /** The local file system. */
    static LogSource files() {
        return new LogSource() {
            @Override
            public List<Path> list(Path dir) throws IOException {
                if (!Files.isDirectory(dir)) {
                    return List.of();
                }
                try (Stream<Path> s = Files.list(dir)) {
                    return s.toList();
                }
            }

            @Override
            public byte[] read(Path file) throws IOException {
                try {
                    return Files.readAllBytes(file);
                } catch (NoSuchFileException e) {
                    return null;
                }
            }
        };
    }
}
