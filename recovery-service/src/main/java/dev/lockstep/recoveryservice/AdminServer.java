package dev.lockstep.recoveryservice;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon's HTTP side on the JDK's own server ({@code jdk.httpserver}): enough for an admin surface on the
 * loopback, no dependency, and no HTTP parsing of ours. One handler takes every request and does what every
 * endpoint needs, in this order: find the route (404, or 405 with {@code Allow}), check the bearer token of a
 * mutating route (403 when no token is configured, 401 when it is missing or wrong; before the body is read),
 * read the body within {@link #MAX_BODY_BYTES} (413 beyond), call the {@link Endpoint}, and answer its JSON; a
 * failure is a 500 with {@link ServiceMessage#HTTP_CALL_FAILED} and a stack trace on standard error, never the
 * exception's text in the answer.
 * Mutating calls and every refusal are logged ({@code http_request}); reads are not (health probes would flood the
 * log). Nothing of a request's headers or body is logged or echoed, nor a path that is not an endpoint: a client may
 * have pasted a token anywhere.
 *
 * <p>A {@link StreamEndpoint} ({@code /api/events}) goes through the same steps and then takes the exchange over: it
 * answers from a thread of its own, so the server's two threads never wait on a stream. Its owner ends the streams
 * before {@link #close()}: the JDK's server only closes the connections once the delay given to {@code stop} is over
 * (on JDK 17 it waits that whole delay, exchanges in progress or not).
 *
 * <p>Adding an endpoint is one {@link Routes#get}/{@link Routes#post}/{@link Routes#stream} line where the daemon
 * builds the routes.
 */
final class AdminServer implements AutoCloseable {

    /** The largest request body accepted; the one body there is (a resolve) is a few dozen bytes. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;

    /** The endpoints, by path and method; a mutating one needs the bearer token. */
    static final class Routes {
        private final Map<String, Map<String, Route>> byPath = new LinkedHashMap<>();

        Routes get(String path, Endpoint endpoint) {
            return add("GET", path, new Route(endpoint, null, false));
        }

        /** A mutating endpoint: it needs the bearer token, and is disabled without one. */
        Routes post(String path, Endpoint endpoint) {
            return add("POST", path, new Route(endpoint, null, true));
        }

        /** A GET endpoint that answers with a stream which stays open. */
        Routes stream(String path, StreamEndpoint endpoint) {
            return add("GET", path, new Route(null, endpoint, false));
        }

        private Routes add(String method, String path, Route route) {
            if (byPath.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, route) != null) {
                throw new IllegalArgumentException(method + " " + path + " is routed twice");
            }
            return this;
        }
    }

    /** One of {@code endpoint} and {@code stream} is null. */
    private record Route(Endpoint endpoint, StreamEndpoint stream, boolean mutating) {
    }

    private final Routes routes;
    private final BearerToken token;
    private final EventLog events;

    private AdminServer(HttpServer server, ExecutorService executor, Routes routes, BearerToken token,
            EventLog events) {
        this.server = server;
        this.executor = executor;
        this.routes = routes;
        this.token = token;
        this.events = events;
    }

    /**
     * Listens on {@code cfg}'s address and port and serves {@code routes}.
     *
     * @throws IOException if the address cannot be bound (the message names it)
     */
    static AdminServer start(HttpSettings.HttpConfig cfg, Routes routes, EventLog events) throws IOException {
        InetSocketAddress where = new InetSocketAddress(cfg.address(), cfg.port());
        HttpServer server;
        try {
            server = HttpServer.create(where, 16);
        } catch (IOException e) {
            throw new IOException(ServiceMessage.HTTP_START_FAILED + " cannot listen on "
                    + cfg.address().getHostAddress() + ":" + cfg.port() + " (" + e.getMessage() + "): free the port "
                    + "or change " + HttpSettings.PORT + " / " + HttpSettings.ADDRESS, e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "lockstep-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AdminServer admin = new AdminServer(server, executor, routes,
                cfg.token() == null ? null : new BearerToken(cfg.token()), events);
        server.createContext("/", admin::exchange);
        server.setExecutor(executor);
        server.start();
        return admin;
    }

    /** The address and port it listens on (the real port when 0 was configured). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Stops listening; a call in progress gets up to a second to finish, then every connection is closed, an open
     * stream's too (whose writer then fails and ends).
     */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    private void exchange(HttpExchange ex) throws IOException {
        HttpReply reply;
        Route route = null;
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            Map<String, Route> methods = routes.byPath.get(path);
            route = methods == null ? null : methods.get(method);
            if (methods == null) {
                // The path is not echoed nor logged: a client may have pasted anything there, a token included.
                reply = HttpReply.error(404, ServiceMessage.HTTP_NO_SUCH_ENDPOINT, "no such endpoint: the service "
                        + "serves " + String.join(", ", routes.byPath.keySet()));
            } else if (route == null) {
                String allow = String.join(", ", methods.keySet());
                reply = HttpReply.error(405, ServiceMessage.HTTP_NO_SUCH_ENDPOINT, path + " takes " + allow + ", not "
                        + method, Map.of("Allow", allow));
            } else {
                reply = refusal(route, ex);
                if (reply == null) {
                    byte[] body = readBody(ex);
                    HttpCall call = body == null ? null : new HttpCall(method, path, ex.getRequestHeaders(), body,
                            ex.getRemoteAddress());
                    if (call == null) {
                        reply = HttpReply.error(413, ServiceMessage.HTTP_BODY_TOO_LARGE, "the body is larger than "
                                + MAX_BODY_BYTES + " bytes: send the small JSON document " + path + " takes");
                    } else if (route.stream() != null) {
                        reply = route.stream().open(call, ex);
                        if (reply == null) {
                            return; // the stream's own thread answers; a read, not logged
                        }
                    } else {
                        reply = route.endpoint().handle(call);
                    }
                }
            }
        } catch (Exception | Error e) {
            events.error("http_error").add("method", ex.getRequestMethod()).add("path", route == null ? null
                    : ex.getRequestURI().getPath())
                    .add("error", e.getClass().getName()).add("detail", ServiceMessage.HTTP_CALL_FAILED
                            + " the call failed unexpectedly; the stack trace follows").print();
            events.stackTrace(e);
            reply = HttpReply.error(500, ServiceMessage.HTTP_CALL_FAILED, "the call failed unexpectedly; the "
                    + "service's standard error has the details");
        }
        String known = routes.byPath.containsKey(ex.getRequestURI().getPath()) ? ex.getRequestURI().getPath()
                : "(not an endpoint)";
        if ((route != null && route.mutating()) || reply.status() >= 400) {
            (reply.status() >= 400 ? events.warn("http_request") : events.info("http_request"))
                    .add("method", ex.getRequestMethod()).add("path", known)
                    .add("status", reply.status()).add("id", reply.logAs() == null ? null : reply.logAs().id())
                    .add("remote", ex.getRemoteAddress().getAddress().getHostAddress()).print();
        }
        send(ex, reply);
    }

    /** Why a call of {@code route} may not go on (no token configured, none or a wrong one sent), or null. */
    private HttpReply refusal(Route route, HttpExchange ex) {
        if (!route.mutating()) {
            return null;
        }
        if (token == null) {
            return HttpReply.error(403, ServiceMessage.HTTP_RESOLVE_DISABLED, "mutating calls are disabled: no "
                    + "token is configured; set " + HttpSettings.TOKEN_FILE + " or " + HttpSettings.TOKEN_ENV
                    + " and restart the daemon, or stop it and use the command line");
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (!token.accepts(auth)) {
            return HttpReply.error(401, ServiceMessage.HTTP_UNAUTHORIZED, (auth == null ? "no Authorization header"
                    : "the bearer token does not match") + ": send 'Authorization: Bearer TOKEN' with the token of "
                    + HttpSettings.TOKEN_FILE + " or " + HttpSettings.TOKEN_ENV,
                    Map.of("WWW-Authenticate", "Bearer realm=\"lockstep-recovery\""));
        }
        return null;
    }

    /**
     * The body, or null if it is longer than {@link #MAX_BODY_BYTES} (said by its length or found reading). A body too
     * large is still read and dropped up to {@link #DRAIN_LIMIT_BYTES} before the 413 goes out: a server that answers
     * and closes while the client is still sending makes the kernel reset the connection, and the client would see
     * "connection reset" instead of the 413 (HttpSecretsTest caught it on a loaded machine).
     */
    private static byte[] readBody(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        try (InputStream in = ex.getRequestBody()) {
            if (length != null) {
                try {
                    if (Long.parseLong(length.trim()) > MAX_BODY_BYTES) {
                        drain(in);
                        return null;
                    }
                } catch (NumberFormatException e) {
                    // the server itself refuses a malformed length before we are called; read what comes
                }
            }
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                drain(in);
                return null;
            }
            return body;
        }
    }

    /** The most of a refused body read and dropped; beyond it the connection is closed under the client. */
    static final long DRAIN_LIMIT_BYTES = 16L * MAX_BODY_BYTES;

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        long left = DRAIN_LIMIT_BYTES;
        int n;
        while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
            left -= n;
        }
    }

    private static void send(HttpExchange ex, HttpReply reply) throws IOException {
        String text = reply.json().endsWith("\n") ? reply.json() : reply.json() + "\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff"); // a browser never guesses another type
        reply.headers().forEach(ex.getResponseHeaders()::set);
        ex.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The paths served, for the start line. */
    List<String> paths() {
        List<String> all = new ArrayList<>();
        routes.byPath.forEach((path, methods) -> methods.keySet().forEach(m -> all.add(m + " " + path)));
        return all;
    }
}
