package dev.lockstep.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on 127.0.0.1 in front of one database server port that can lose the reply to one request, as a
 * network failure would: once {@link #arm armed} with a pattern, the next bytes a client sends that contain it are
 * forwarded to the server, the server's answer is read and thrown away, and both sockets of that connection are
 * closed. The server has then done the work; the client sees its connection break. Everything else is forwarded
 * unchanged, so drivers connect and work through it as usual (without TLS, so the pattern can be seen).
 */
final class ReplyDroppingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final AtomicReference<byte[]> trigger = new AtomicReference<>();
    private final AtomicLong droppedReplyBytes = new AtomicLong();
    private final CountDownLatch dropped = new CountDownLatch(1);
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    ReplyDroppingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "reply-dropping-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The next client request containing {@code pattern} (ASCII) reaches the server; its reply is lost. */
    void arm(String pattern) {
        trigger.set(pattern.getBytes(StandardCharsets.US_ASCII));
    }

    /** True once a reply was thrown away; waits up to {@code millis} for it. */
    boolean droppedAReply(long millis) throws InterruptedException {
        return dropped.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Bytes of the server's reply that never reached the client. */
    long droppedReplyBytes() {
        return droppedReplyBytes.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                Link link = new Link(client, server);
                start(() -> link.clientToServer(), "c2s");
                start(() -> link.serverToClient(), "s2c");
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void start(Runnable pump, String name) {
        Thread t = new Thread(pump, "reply-dropping-proxy-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** One client connection and its server connection. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        private volatile boolean dropNextReply;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void clientToServer() {
            byte[] buf = new byte[65536];
            byte[] tail = new byte[0];
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    byte[] pattern = trigger.get();
                    if (pattern != null) {
                        byte[] window = new byte[tail.length + n];
                        System.arraycopy(tail, 0, window, 0, tail.length);
                        System.arraycopy(buf, 0, window, tail.length, n);
                        if (indexOf(window, pattern) >= 0 && trigger.compareAndSet(pattern, null)) {
                            dropNextReply = true;
                        } else {
                            int keep = Math.min(pattern.length - 1, window.length);
                            tail = java.util.Arrays.copyOfRange(window, window.length - keep, window.length);
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: the other pump closes too
            } finally {
                closeBoth();
            }
        }

        void serverToClient() {
            byte[] buf = new byte[65536];
            try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (dropNextReply) {
                        droppedReplyBytes.addAndGet(n);
                        dropped.countDown();
                        return; // the reply is lost; closing both sockets breaks the client's connection
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeBoth();
            }
        }

        private void closeBoth() {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
