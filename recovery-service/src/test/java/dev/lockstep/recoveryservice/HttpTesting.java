package dev.lockstep.recoveryservice;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Calls of the HTTP side with the JDK's client, as an operator's tool would make them. */
final class HttpTesting {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpTesting() {
    }

    static HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Reads {@code /api/events} line by line (with {@code Last-Event-ID: lastEventId} unless null) until a line
     * matches {@code until}, and closes the stream; fails if that takes longer than {@code within}.
     */
    static List<String> eventLines(String base, String lastEventId, Predicate<String> until, Duration within)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/events")).GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        List<String> lines = new ArrayList<>();
        try (Stream<String> body = r.body()) {
            if (r.statusCode() != 200) {
                throw new AssertionError("GET /api/events answered " + r.statusCode() + ": " + body.toList());
            }
            CompletableFuture<Void> read = CompletableFuture.runAsync(() -> {
                Iterator<String> it = body.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (until.test(line)) {
                        return;
                    }
                }
            });
            try {
                read.get(within.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                synchronized (lines) {
                    throw new AssertionError("no matching line on /api/events within " + within + ":\n"
                            + String.join("\n", lines));
                }
            }
        }
        return lines;
    }

    /** POSTs {@code json}; with {@code token} null, no Authorization header. */
    static HttpResponse<String> post(String base, String path, String json, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
