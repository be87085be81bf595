package dev.lockstep.bench.micro;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file of the group-commit ceilings: preallocated (zeros written and forced first), written positionally from
 * its start, wrapping to the start at its end, each batch forced with {@code force(false)}. Used by one writing
 * thread at a time.
 */
final class PreallocatedFile implements AutoCloseable {

    private static final long FILE_BYTES = 64L << 20;

    private final Path file;
    private final FileChannel channel;
    private long position;

    PreallocatedFile(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long pos = 0; pos < FILE_BYTES; pos += zeros.capacity()) {
            zeros.clear();
            while (zeros.hasRemaining()) {
                channel.write(zeros, pos + zeros.position());
            }
        }
        channel.force(true);
    }

    /** Writes the batch (flipped here) at the current position, wrapping at the end of the file, and forces it. */
    void writeAndForce(ByteBuffer batch) throws IOException {
        batch.flip();
        if (position + batch.remaining() > FILE_BYTES) {
            position = 0;
        }
        while (batch.hasRemaining()) {
            position += channel.write(batch, position);
        }
        channel.force(false);
    }

    /** For the report's configuration. */
    String describe() {
        return file + ", preallocated " + (FILE_BYTES >> 20) + " MiB (zeros written and forced first)";
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
