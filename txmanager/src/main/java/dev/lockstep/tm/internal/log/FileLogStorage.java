package dev.lockstep.tm.internal.log;

import dev.lockstep.tm.log.LogSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link LogStorage} on the local file system with {@link FileChannel}. */
public final class FileLogStorage implements LogStorage {

    /**
     * Lock files held by this JVM, by real path. OS file locks belong to the process, and on Linux closing <em>any</em>
     * channel of a locked file drops the process's lock; so a second owner in this JVM must be refused here, before it
     * opens the file at all, whatever name it uses for the file (a symbolic link, "..").
     */
    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private static final int ZERO_CHUNK = 64 * 1024;

    @Override
    public boolean createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return false;
        }
        Files.createDirectories(dir);
        return true;
    }

    @Override
    public LogChannel createSegment(Path file, byte[] header, long preallocateBytes) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer head = ByteBuffer.wrap(header);
            while (head.hasRemaining()) {
                ch.write(head, head.position());
            }
            ByteBuffer zeros = ByteBuffer.allocate(ZERO_CHUNK);
            long pos = header.length;
            while (pos < preallocateBytes) {
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, preallocateBytes - pos));
                while (zeros.hasRemaining()) {
                    pos += ch.write(zeros, pos);
                }
            }
            ch.force(true);
            return new FileLogChannel(file, ch, true);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public LogChannel recycleSegment(Path spare, Path file, byte[] header) throws IOException {
        if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.FileAlreadyExistsException(file.toString());
        }
        Files.move(spare, file, StandardCopyOption.ATOMIC_MOVE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer head = ByteBuffer.wrap(header);
            while (head.hasRemaining()) {
                ch.write(head, head.position());
            }
            ch.force(false);
            return new FileLogChannel(file, ch, true);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public LogChannel openForRead(Path file) throws IOException {
        return new FileLogChannel(file, FileChannel.open(file, StandardOpenOption.READ), false);
    }

    @Override
    public void zeroFrom(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long size = ch.size();
            ByteBuffer zeros = ByteBuffer.allocate(ZERO_CHUNK);
            long pos = offset;
            while (pos < size) {
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, size - pos));
                while (zeros.hasRemaining()) {
                    pos += ch.write(zeros, pos);
                }
            }
            ch.force(false);
        }
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        return LogSource.files().list(dir);
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public byte[] readSmallFile(Path file) throws IOException {
        return LogSource.files().read(file);
    }

    @Override
    public void replaceAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.getParent());
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; there the rename or create is already as durable as
            // the platform makes it. A missing directory is a real error though.
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            return;
        }
        // A failed sync of a directory that could be opened is never swallowed: the manifest's rename at a roll, or
        // a new segment's entry, would be reported durable when it may not be, and COMMITs acknowledged after it
        // could vanish with a power loss (docs/log-format.md, "Manifest").
        try (ch) {
            ch.force(true);
        }
    }

    @Override
    public LockHandle tryLock(Path file) throws IOException {
        Path key = realPath(file);
        if (!HELD_IN_THIS_JVM.add(key)) {
            return null;
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                HELD_IN_THIS_JVM.remove(key);
                return null;
            }
            return new FileLockHandle(file, key, ch, lock);
        } catch (OverlappingFileLockException e) {
            ch.close();
            HELD_IN_THIS_JVM.remove(key);
            return null;
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            HELD_IN_THIS_JVM.remove(key);
            throw e;
        }
    }

    /**
     * The name that every path of {@code file} shares, found without opening the file: its real path if it exists,
     * else the real path of its directory and its name (the lock creates the file there).
     */
    static Path realPath(Path file) throws IOException {
        try {
            return file.toRealPath();
        } catch (NoSuchFileException e) {
            Path absolute = file.toAbsolutePath();
            Path parent = absolute.getParent();
            return parent == null ? absolute.normalize() : parent.toRealPath().resolve(absolute.getFileName());
        }
    }

    private static final class FileLockHandle implements LockHandle {
        private final Path file;
        private final Path key;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean closed;

        FileLockHandle(Path file, Path key, FileChannel channel, FileLock lock) {
            this.file = file;
            this.key = key;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public Path file() {
            return file;
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                lock.release();
            } finally {
                channel.close();
                HELD_IN_THIS_JVM.remove(key);
            }
        }
    }

    /**
     * A segment's channel that survives an interrupt. A {@link FileChannel} closes itself when the thread using it is
     * interrupted during a call ({@link ClosedByInterruptException}); the log would then be poisoned for every
     * committer because one thread was cancelled (an application's {@code Future.cancel(true)}, a pool shutting down).
     * So the call is finished on a channel opened anew, with the interrupt flag cleared meanwhile and set again after.
     * The file's dirty pages stay in the page cache when a channel closes, so a force on the new channel covers
     * every byte written through the old one: unlike a force that failed with an I/O error, which may have dropped
     * them, this is safe to repeat.
     */
    @FunctionalInterface
    private interface ChannelCall<T> {
        T run() throws IOException;
    }

    private static final class FileLogChannel implements LogChannel {
        private final Path file;
        private final boolean writable;
        private FileChannel ch;

        FileLogChannel(Path file, FileChannel ch, boolean writable) {
            this.file = file;
            this.ch = ch;
            this.writable = writable;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            int start = src.position();
            // Bytes written before an interrupt moved src on: the retry writes the rest, after them.
            return uninterruptibly(() -> {
                ch.write(src, position + (src.position() - start));
                return src.position() - start;
            });
        }

        @Override
        public void force() throws IOException {
            uninterruptibly(() -> {
                ch.force(false);
                return null;
            });
        }

        @Override
        public long size() throws IOException {
            return uninterruptibly(() -> ch.size());
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            int start = dst.position();
            return uninterruptibly(() -> {
                int n = ch.read(dst, position + (dst.position() - start));
                return n < 0 && dst.position() == start ? n : dst.position() - start;
            });
        }

        /** One call on the channel; a channel closed by an interrupt is opened again and the call finished. */
        private <T> T uninterruptibly(ChannelCall<T> call) throws IOException {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return call.run();
                    } catch (ClosedByInterruptException e) {
                        interrupted = true;
                        reopen();
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Opens the file again, with the interrupt flag cleared so that the new channel is not closed at once. */
        private void reopen() throws IOException {
            Thread.interrupted();
            ch = writable ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    @Override
    public String toString() {
        return "FileLogStorage";
    }
}
