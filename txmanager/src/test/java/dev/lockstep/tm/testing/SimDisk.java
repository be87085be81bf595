package dev.lockstep.tm.testing;

import dev.lockstep.tm.internal.log.LogChannel;
import dev.lockstep.tm.internal.log.LogStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * An in-memory disk for the decision log ({@link LogStorage}) with a real durability model, fast enough for
 * thousands of crash images per test run.
 *
 * <h2>Model</h2>
 * <ul>
 * <li>A file (inode) has current content (what reads see) and durable content (what survives a power loss);
 * {@code force} makes the current content durable. {@code createSegment} writes the header and zeros and forces them
 * with the file's metadata, as {@code FileLogStorage} does; the directory entry is still pending.
 * {@code recycleSegment} renames a file (pending, as every directory entry), writes the new header over its first
 * bytes and forces its content.</li>
 * <li>Directory entries (create, delete, rename, mkdir) change the current namespace at once and are pending until
 * {@code forceDirectory} of their directory makes them durable, in order.</li>
 * <li>{@code replaceAtomically} runs as its four steps, each an operation of its own: write the temporary file,
 * force it, rename it over the target, force the directory.</li>
 * <li>Locks belong to a simulated process ({@link #process(String)}): a view of the disk with an owner id. As with
 * {@code FileLogStorage}, a lock held by any owner, this one included, is refused; {@link Process#crash()} releases
 * the owner's locks.</li>
 * </ul>
 *
 * <h2>Crash images</h2>
 * {@link #crashImages} builds, from the state at this moment, new disks as a power loss could leave them: every
 * 4 KiB page of a file whose current content differs from its durable content independently kept its durable bytes,
 * took the new ones, or was torn (its 512-byte sectors mixed); a file whose length changed has either length; every
 * pending directory operation did or did not persist (one that no longer applies, such as the rename of a temporary
 * file whose creation did not persist, is skipped). Few combinations are enumerated; more are sampled with the given
 * {@link Random}. {@link #copy()} is a process stop instead: the page cache survives.
 *
 * <h2>Fault injection</h2>
 * Every operation gets a global index (0, 1, ...; {@link #operations()} counts them so far), and
 * {@link #failAt(long, FailMode)} makes operation {@code n} throw an {@link IOException}: {@link FailMode#BEFORE}
 * without effect, {@link FailMode#AFTER} once its effect happened (a force that did persist but reported EIO, a delete
 * whose file is gone), {@link FailMode#TORN} for writes with only a prefix applied. {@link #listener} sees every
 * operation, with its kind and path, before it runs: a test can snapshot its own state at that exact moment.
 */
public final class SimDisk {

    /** The kinds of operation, as the listener and the fault injection see them. */
    public enum Op {
        CREATE_DIRECTORIES, CREATE_SEGMENT, RECYCLE_SEGMENT, OPEN_FOR_READ, READ, WRITE, FORCE, SIZE, ZERO_FROM, LIST,
        DELETE, READ_SMALL_FILE, REPLACE_WRITE_TEMP, REPLACE_FORCE_TEMP, REPLACE_RENAME, REPLACE_FORCE_DIRECTORY,
        FORCE_DIRECTORY, TRY_LOCK, UNLOCK
    }

    /** How an injected failure behaves. */
    public enum FailMode {
        /** The operation throws and has no effect. */
        BEFORE,
        /** The operation has its effect, then throws. */
        AFTER,
        /** For writes (and zeroFrom): the first half of the bytes are applied, then it throws. */
        TORN
    }

    /** Sees every operation before it runs. */
    @FunctionalInterface
    public interface Listener {
        void operation(long index, Op op, Path path);
    }

    static final int PAGE = 4096;
    static final int SECTOR = 512;

    private static final class Inode {
        byte[] data;
        byte[] durable;

        Inode(byte[] data, byte[] durable) {
            this.data = data;
            this.durable = durable;
        }
    }

    private enum DirOpKind { CREATE, DELETE, RENAME, MKDIR }

    /** A directory operation not yet made durable. */
    private record DirOp(DirOpKind kind, Path dir, Path name, Path to, Inode inode) {
    }

    private final Map<Path, Inode> names = new HashMap<>();
    private final Map<Path, Inode> durableNames = new HashMap<>();
    private final Set<Path> dirs = new HashSet<>();
    private final Set<Path> durableDirs = new HashSet<>();
    private final List<DirOp> pending = new ArrayList<>();
    private final Map<Path, String> lockOwners = new HashMap<>();
    private final Map<Long, FailMode> failures = new HashMap<>();
    private long operations;
    private Listener listener;

    /** An empty disk; the root directory exists. */
    public SimDisk() {
        dirs.add(Path.of("/").toAbsolutePath());
        durableDirs.addAll(dirs);
    }

    /** A view of this disk for one simulated process, which owns the locks it takes. */
    public synchronized Process process(String owner) {
        return new Process(owner);
    }

    /** Operations so far (the index the next one gets). */
    public synchronized long operations() {
        return operations;
    }

    /** Makes operation {@code index} fail with {@code mode}. */
    public synchronized SimDisk failAt(long index, FailMode mode) {
        failures.put(index, mode);
        return this;
    }

    /** Sets the listener called before every operation (null: none). */
    public synchronized SimDisk listener(Listener l) {
        this.listener = l;
        return this;
    }

    /** Pending units of a crash image: differing pages, changed lengths and pending directory operations. */
    public synchronized int pendingUnits() {
        int units = pending.size();
        for (Inode inode : liveInodes()) {
            units += differingPages(inode).size() + (inode.data.length != inode.durable.length ? 1 : 0);
        }
        return units;
    }

    /** A process stop: a new disk with this one's current and durable state and no locks (the page cache survives). */
    public synchronized SimDisk copy() {
        SimDisk d = new SimDisk();
        Map<Inode, Inode> copies = new IdentityHashMap<>();
        for (Inode i : liveInodes()) {
            copies.put(i, new Inode(i.data.clone(), i.durable.clone()));
        }
        names.forEach((p, i) -> d.names.put(p, copies.get(i)));
        durableNames.forEach((p, i) -> d.durableNames.put(p, copies.get(i)));
        d.dirs.addAll(dirs);
        d.durableDirs.addAll(durableDirs);
        for (DirOp op : pending) {
            d.pending.add(new DirOp(op.kind(), op.dir(), op.name(), op.to(), op.inode() == null ? null
                    : copies.get(op.inode())));
        }
        return d;
    }

    /**
     * Crash images of the state at this moment: every combination if there are at most {@code max}, else
     * {@code max} of them drawn with {@code random} (the image where nothing pending persisted and the one where
     * everything did always among them).
     */
    public synchronized List<SimDisk> crashImages(Random random, int max) {
        List<Inode> inodes = new ArrayList<>(liveInodes());
        List<int[]> pages = new ArrayList<>(); // {inode index, page}
        List<Integer> lengthUnits = new ArrayList<>();
        for (int i = 0; i < inodes.size(); i++) {
            for (int p : differingPages(inodes.get(i))) {
                pages.add(new int[] {i, p});
            }
            if (inodes.get(i).data.length != inodes.get(i).durable.length) {
                lengthUnits.add(i);
            }
        }
        int binary = lengthUnits.size() + pending.size();
        double combinations = Math.pow(3, pages.size()) * Math.pow(2, binary);
        List<SimDisk> images = new ArrayList<>();
        if (combinations <= max) {
            int total = (int) combinations;
            for (int c = 0; c < total; c++) {
                int[] pageChoice = new int[pages.size()];
                boolean[] binaryChoice = new boolean[binary];
                int rest = c;
                for (int k = 0; k < pageChoice.length; k++) {
                    pageChoice[k] = rest % 3;
                    rest /= 3;
                }
                for (int k = 0; k < binaryChoice.length; k++) {
                    binaryChoice[k] = rest % 2 == 1;
                    rest /= 2;
                }
                images.add(image(inodes, pages, lengthUnits, pageChoice, binaryChoice, random));
            }
            return images;
        }
        for (int n = 0; n < max; n++) {
            int[] pageChoice = new int[pages.size()];
            boolean[] binaryChoice = new boolean[binary];
            for (int k = 0; k < pageChoice.length; k++) {
                pageChoice[k] = n == 0 ? 0 : n == 1 ? 1 : random.nextInt(3);
            }
            for (int k = 0; k < binaryChoice.length; k++) {
                binaryChoice[k] = n == 0 ? false : n == 1 || random.nextBoolean();
            }
            images.add(image(inodes, pages, lengthUnits, pageChoice, binaryChoice, random));
        }
        return images;
    }

    private SimDisk image(List<Inode> inodes, List<int[]> pages, List<Integer> lengthUnits, int[] pageChoice,
            boolean[] binaryChoice, Random random) {
        byte[][] content = new byte[inodes.size()][];
        for (int i = 0; i < inodes.size(); i++) {
            Inode inode = inodes.get(i);
            int li = lengthUnits.indexOf(i);
            int length = li >= 0 && binaryChoice[li] ? inode.data.length : inode.durable.length;
            content[i] = Arrays.copyOf(inode.durable, length);
        }
        for (int k = 0; k < pages.size(); k++) {
            int i = pages.get(k)[0];
            Inode inode = inodes.get(i);
            int from = pages.get(k)[1] * PAGE;
            for (int s = from; s < from + PAGE; s += SECTOR) {
                boolean takeNew = pageChoice[k] == 1 || pageChoice[k] == 2 && random.nextBoolean();
                if (takeNew) {
                    for (int b = s; b < Math.min(s + SECTOR, content[i].length); b++) {
                        content[i][b] = b < inode.data.length ? inode.data[b] : 0;
                    }
                }
            }
        }
        Map<Path, Inode> namespace = new HashMap<>(durableNames);
        Set<Path> directories = new HashSet<>(durableDirs);
        for (int k = 0; k < pending.size(); k++) {
            if (binaryChoice[lengthUnits.size() + k]) {
                apply(pending.get(k), namespace, directories);
            }
        }
        SimDisk d = new SimDisk();
        d.dirs.addAll(directories);
        d.durableDirs.addAll(directories);
        Map<Inode, Inode> copies = new IdentityHashMap<>();
        namespace.forEach((path, inode) -> {
            if (!directories.contains(path.getParent())) {
                return; // its directory's creation did not persist
            }
            int i = inodes.indexOf(inode);
            Inode copy = copies.computeIfAbsent(inode, x -> {
                byte[] c = i >= 0 ? content[i] : x.durable;
                return new Inode(c.clone(), c.clone());
            });
            d.names.put(path, copy);
            d.durableNames.put(path, copy);
        });
        return d;
    }

    private static void apply(DirOp op, Map<Path, Inode> namespace, Set<Path> directories) {
        switch (op.kind()) {
            case CREATE -> namespace.put(op.name(), op.inode());
            case DELETE -> {
                if (namespace.get(op.name()) == op.inode()) {
                    namespace.remove(op.name());
                }
            }
            case RENAME -> {
                if (namespace.get(op.name()) == op.inode()) {
                    namespace.remove(op.name());
                    namespace.put(op.to(), op.inode());
                }
            }
            case MKDIR -> directories.add(op.name());
        }
    }

    private Set<Inode> liveInodes() {
        Set<Inode> all = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        all.addAll(names.values());
        all.addAll(durableNames.values());
        for (DirOp op : pending) {
            if (op.inode() != null) {
                all.add(op.inode());
            }
        }
        return all;
    }

    private static List<Integer> differingPages(Inode inode) {
        List<Integer> result = new ArrayList<>();
        int length = Math.max(inode.data.length, inode.durable.length);
        for (int p = 0; p * PAGE < length; p++) {
            int from = p * PAGE;
            int to = Math.min(from + PAGE, length);
            if (!Arrays.equals(inode.data, Math.min(from, inode.data.length), Math.min(to, inode.data.length),
                    inode.durable, Math.min(from, inode.durable.length), Math.min(to, inode.durable.length))) {
                result.add(p);
            }
        }
        return result;
    }

    /** The content of {@code file} as reads see it, or null; for tests that damage or inspect an image. */
    public synchronized byte[] content(Path file) {
        Inode i = names.get(key(file));
        return i == null ? null : i.data.clone();
    }

    /** Replaces the content of {@code file} (durably, with no operation counted): damage for tests. */
    public synchronized void overwrite(Path file, byte[] content) {
        Inode i = names.get(key(file));
        if (i == null) {
            throw new IllegalArgumentException(file + " does not exist");
        }
        i.data = content.clone();
        i.durable = content.clone();
    }

    /** Removes {@code file} durably, with no operation counted: damage for tests. */
    public synchronized void remove(Path file) {
        Inode i = names.remove(key(file));
        durableNames.remove(key(file), i);
    }

    /** The files in {@code dir}, as reads see them; for tests. */
    public synchronized List<Path> files(Path dir) {
        Path d = key(dir);
        List<Path> result = new ArrayList<>();
        for (Path p : names.keySet()) {
            if (d.equals(p.getParent())) {
                result.add(p);
            }
        }
        result.sort(null);
        return result;
    }

    private static Path key(Path p) {
        return p.toAbsolutePath().normalize();
    }

    /** Counts the operation, tells the listener, and applies an injected failure: the mode, or null for none. */
    private FailMode begin(Op op, Path path) throws IOException {
        long index = operations++;
        if (listener != null) {
            listener.operation(index, op, path);
        }
        FailMode mode = failures.remove(index);
        if (mode == FailMode.BEFORE || mode == FailMode.TORN && op != Op.WRITE && op != Op.ZERO_FROM) {
            throw injected(index, op, path, mode);
        }
        return mode;
    }

    private static IOException injected(long index, Op op, Path path, FailMode mode) {
        return new IOException("injected failure (" + mode + ") of operation " + index + ": " + op + " " + path);
    }

    private void after(FailMode mode, long index, Op op, Path path) throws IOException {
        if (mode != null) {
            throw injected(index, op, path, mode);
        }
    }

    private void createEntry(Path file, Inode inode) {
        names.put(file, inode);
        pending.add(new DirOp(DirOpKind.CREATE, file.getParent(), file, null, inode));
    }

    private void forceDir(Path dir) {
        for (var it = pending.iterator(); it.hasNext(); ) {
            DirOp op = it.next();
            if (op.dir().equals(dir)) {
                apply(op, durableNames, durableDirs);
                it.remove();
            }
        }
    }

    private void requireDir(Path file) throws IOException {
        if (!dirs.contains(file.getParent())) {
            throw new NoSuchFileException(file.getParent().toString(), null, "no such directory");
        }
    }

    /** One simulated process's view of the disk. */
    public final class Process implements LogStorage {
        private final String owner;

        private Process(String owner) {
            this.owner = owner;
        }

        /** The process dies: its locks are released (what it wrote stays as the disk has it). */
        public void crash() {
            synchronized (SimDisk.this) {
                lockOwners.values().removeIf(owner::equals);
            }
        }

        /** The disk this process sees. */
        public SimDisk disk() {
            return SimDisk.this;
        }

        @Override
        public boolean createDirectories(Path dir) throws IOException {
            synchronized (SimDisk.this) {
                Path d = key(dir);
                long index = operations;
                FailMode mode = begin(Op.CREATE_DIRECTORIES, d);
                boolean created = false;
                List<Path> chain = new ArrayList<>();
                for (Path p = d; p != null && !dirs.contains(p); p = p.getParent()) {
                    chain.add(0, p);
                }
                for (Path p : chain) {
                    dirs.add(p);
                    pending.add(new DirOp(DirOpKind.MKDIR, p.getParent(), p, null, null));
                    created = true;
                }
                after(mode, index, Op.CREATE_DIRECTORIES, d);
                return created;
            }
        }

        @Override
        public LogChannel createSegment(Path file, byte[] header, long preallocateBytes) throws IOException {
            synchronized (SimDisk.this) {
                Path f = key(file);
                long index = operations;
                FailMode mode = begin(Op.CREATE_SEGMENT, f);
                requireDir(f);
                if (names.containsKey(f)) {
                    throw new FileAlreadyExistsException(f.toString());
                }
                byte[] content = new byte[(int) Math.max(preallocateBytes, header.length)];
                System.arraycopy(header, 0, content, 0, header.length);
                Inode inode = new Inode(content, content.clone());
                createEntry(f, inode);
                after(mode, index, Op.CREATE_SEGMENT, f);
                return new Channel(f, inode);
            }
        }

        @Override
        public LogChannel recycleSegment(Path spare, Path file, byte[] header) throws IOException {
            synchronized (SimDisk.this) {
                Path from = key(spare);
                Path f = key(file);
                long index = operations;
                FailMode mode = begin(Op.RECYCLE_SEGMENT, f);
                requireDir(f);
                Inode inode = names.get(from);
                if (inode == null) {
                    throw new NoSuchFileException(from.toString());
                }
                if (names.containsKey(f)) {
                    throw new FileAlreadyExistsException(f.toString());
                }
                names.remove(from);
                names.put(f, inode);
                pending.add(new DirOp(DirOpKind.RENAME, f.getParent(), from, f, inode));
                int n = mode == FailMode.TORN ? header.length / 2 : header.length;
                if (inode.data.length < n) {
                    inode.data = Arrays.copyOf(inode.data, n);
                }
                System.arraycopy(header, 0, inode.data, 0, n);
                if (mode != FailMode.TORN) {
                    inode.durable = inode.data.clone();
                }
                after(mode, index, Op.RECYCLE_SEGMENT, f);
                return new Channel(f, inode);
            }
        }

        @Override
        public LogChannel openForRead(Path file) throws IOException {
            synchronized (SimDisk.this) {
                Path f = key(file);
                long index = operations;
                FailMode mode = begin(Op.OPEN_FOR_READ, f);
                Inode inode = names.get(f);
                if (inode == null) {
                    throw new NoSuchFileException(f.toString());
                }
                after(mode, index, Op.OPEN_FOR_READ, f);
                return new Channel(f, inode);
            }
        }

        @Override
        public void zeroFrom(Path file, long offset) throws IOException {
            synchronized (SimDisk.this) {
                Path f = key(file);
                long index = operations;
                FailMode mode = begin(Op.ZERO_FROM, f);
                Inode inode = names.get(f);
                if (inode == null) {
                    throw new NoSuchFileException(f.toString());
                }
                int from = (int) Math.min(offset, inode.data.length);
                int to = mode == FailMode.TORN ? from + (inode.data.length - from) / 2 : inode.data.length;
                Arrays.fill(inode.data, from, to, (byte) 0);
                if (mode != FailMode.TORN) {
                    inode.durable = inode.data.clone();
                }
                after(mode, index, Op.ZERO_FROM, f);
            }
        }

        @Override
        public List<Path> list(Path dir) throws IOException {
            synchronized (SimDisk.this) {
                Path d = key(dir);
                long index = operations;
                FailMode mode = begin(Op.LIST, d);
                List<Path> result = new ArrayList<>();
                if (dirs.contains(d)) {
                    for (Path p : names.keySet()) {
                        if (d.equals(p.getParent())) {
                            result.add(p);
                        }
                    }
                    for (Path p : dirs) {
                        if (d.equals(p.getParent())) {
                            result.add(p);
                        }
                    }
                }
                result.sort(null);
                after(mode, index, Op.LIST, d);
                return result;
            }
        }

        @Override
        public void delete(Path file) throws IOException {
            synchronized (SimDisk.this) {
                Path f = key(file);
                long index = operations;
                FailMode mode = begin(Op.DELETE, f);
                Inode inode = names.remove(f);
                if (inode != null) {
                    pending.add(new DirOp(DirOpKind.DELETE, f.getParent(), f, null, inode));
                }
                after(mode, index, Op.DELETE, f);
            }
        }

        @Override
        public byte[] readSmallFile(Path file) throws IOException {
            synchronized (SimDisk.this) {
                Path f = key(file);
                long index = operations;
                FailMode mode = begin(Op.READ_SMALL_FILE, f);
                Inode inode = names.get(f);
                after(mode, index, Op.READ_SMALL_FILE, f);
                return inode == null ? null : inode.data.clone();
            }
        }

        @Override
        public void replaceAtomically(Path file, byte[] content) throws IOException {
            Path f = key(file);
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Inode inode;
            synchronized (SimDisk.this) {
                long index = operations;
                FailMode mode = begin(Op.REPLACE_WRITE_TEMP, tmp);
                requireDir(tmp);
                inode = names.get(tmp);
                if (inode == null) {
                    inode = new Inode(new byte[0], new byte[0]);
                    createEntry(tmp, inode);
                }
                inode.data = content.clone();
                after(mode, index, Op.REPLACE_WRITE_TEMP, tmp);
            }
            synchronized (SimDisk.this) {
                long index = operations;
                FailMode mode = begin(Op.REPLACE_FORCE_TEMP, tmp);
                inode.durable = inode.data.clone();
                after(mode, index, Op.REPLACE_FORCE_TEMP, tmp);
            }
            synchronized (SimDisk.this) {
                long index = operations;
                FailMode mode = begin(Op.REPLACE_RENAME, f);
                if (names.get(tmp) != inode) {
                    throw new NoSuchFileException(tmp.toString());
                }
                names.remove(tmp);
                names.put(f, inode);
                pending.add(new DirOp(DirOpKind.RENAME, f.getParent(), tmp, f, inode));
                after(mode, index, Op.REPLACE_RENAME, f);
            }
            synchronized (SimDisk.this) {
                long index = operations;
                FailMode mode = begin(Op.REPLACE_FORCE_DIRECTORY, f.getParent());
                forceDir(f.getParent());
                after(mode, index, Op.REPLACE_FORCE_DIRECTORY, f.getParent());
            }
        }

        @Override
        public void forceDirectory(Path dir) throws IOException {
            synchronized (SimDisk.this) {
                Path d = key(dir);
                long index = operations;
                FailMode mode = begin(Op.FORCE_DIRECTORY, d);
                if (!dirs.contains(d)) {
                    throw new NoSuchFileException(d.toString());
                }
                forceDir(d);
                after(mode, index, Op.FORCE_DIRECTORY, d);
            }
        }

        @Override
        public LockHandle tryLock(Path file) throws IOException {
            synchronized (SimDisk.this) {
                Path f = key(file);
                long index = operations;
                FailMode mode = begin(Op.TRY_LOCK, f);
                requireDir(f);
                if (lockOwners.containsKey(f)) {
                    after(mode, index, Op.TRY_LOCK, f);
                    return null;
                }
                if (!names.containsKey(f)) {
                    createEntry(f, new Inode(new byte[0], new byte[0]));
                }
                lockOwners.put(f, owner);
                after(mode, index, Op.TRY_LOCK, f); // AFTER: the lock is held, and the caller never learns it
                return new Lock(f);
            }
        }

        private final class Lock implements LockHandle {
            private final Path file;
            private boolean closed;

            Lock(Path file) {
                this.file = file;
            }

            @Override
            public Path file() {
                return file;
            }

            @Override
            public void close() throws IOException {
                synchronized (SimDisk.this) {
                    if (closed) {
                        return;
                    }
                    long index = operations;
                    FailMode mode = begin(Op.UNLOCK, file);
                    closed = true;
                    lockOwners.remove(file, owner);
                    after(mode, index, Op.UNLOCK, file);
                }
            }
        }
    }

    /** Positional I/O on one inode; it keeps working after the name is deleted, as on POSIX. */
    private final class Channel implements LogChannel {
        private final Path file;
        private final Inode inode;

        Channel(Path file, Inode inode) {
            this.file = file;
            this.inode = inode;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            synchronized (SimDisk.this) {
                long index = operations;
                FailMode mode = begin(Op.WRITE, file);
                int n = mode == FailMode.TORN ? src.remaining() / 2 : src.remaining();
                int end = (int) position + n;
                if (end > inode.data.length) {
                    inode.data = Arrays.copyOf(inode.data, end);
                }
                src.get(inode.data, (int) position, n);
                after(mode, index, Op.WRITE, file);
                return n;
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (SimDisk.this) {
                long index = operations;
                FailMode mode = begin(Op.FORCE, file);
                inode.durable = inode.data.clone();
                after(mode, index, Op.FORCE, file);
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (SimDisk.this) {
                long index = operations;
                FailMode mode = begin(Op.SIZE, file);
                after(mode, index, Op.SIZE, file);
                return inode.data.length;
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (SimDisk.this) {
                long index = operations;
                FailMode mode = begin(Op.READ, file);
                if (position >= inode.data.length) {
                    after(mode, index, Op.READ, file);
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), inode.data.length - position);
                dst.put(inode.data, (int) position, n);
                after(mode, index, Op.READ, file);
                return n;
            }
        }

        @Override
        public void close() {
            // nothing to release: an inode lives as long as something refers to it
        }
    }
}
