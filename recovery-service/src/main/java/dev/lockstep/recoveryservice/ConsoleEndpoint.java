package dev.lockstep.recoveryservice;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web console's static files, read from the jar ({@code dev/lockstep/recoveryservice/console/}) once at start:
 * plain HTML, CSS and JavaScript, nothing fetched from elsewhere, so it works offline and behind any firewall. Each
 * answer carries a {@code Content-Security-Policy} that allows only the service's own files and connections ({@link
 * #POLICY}: no inline script or style, no frame around it, no form posted anywhere), so that a string of the service
 * (a resource's error, a detail) can never run as code even if the page had a bug; the page renders every such
 * string with {@code textContent}. docs/operations.md, "Web console", says what it shows.
 */
final class ConsoleEndpoint implements Endpoint {

    /** Where the files are on the class path. */
    static final String RESOURCES = "/dev/lockstep/recoveryservice/console/";

    /** What the browser may load and run: the service's own files and connections only. */
    static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** One file of the console: its name under {@link #RESOURCES} and its content type. */
    record ConsoleFile(String name, String contentType) {
    }

    /** Each path served, with its file; {@code /} is the page. */
    static final Map<String, ConsoleFile> FILES = files();

    private static Map<String, ConsoleFile> files() {
        Map<String, ConsoleFile> m = new LinkedHashMap<>();
        m.put("/", new ConsoleFile("index.html", "text/html; charset=utf-8"));
        m.put("/console/console.css", new ConsoleFile("console.css", "text/css; charset=utf-8"));
        m.put("/console/console.js", new ConsoleFile("console.js", "text/javascript; charset=utf-8"));
        m.put("/console/favicon.svg", new ConsoleFile("favicon.svg", "image/svg+xml"));
        return Collections.unmodifiableMap(m);
    }

    private final Map<String, String> headers;
    private final String text;

    private ConsoleEndpoint(String contentType, String text) {
        this.headers = Map.of("Content-Type", contentType, "Content-Security-Policy", POLICY,
                "Referrer-Policy", "no-referrer");
        this.text = text;
    }

    /** The endpoint of each path of {@link #FILES}, read now: a file missing from the jar fails the start. */
    static Map<String, ConsoleEndpoint> all() {
        Map<String, ConsoleEndpoint> m = new LinkedHashMap<>();
        FILES.forEach((path, file) -> m.put(path, new ConsoleEndpoint(file.contentType(), read(file.name()))));
        return m;
    }

    private static String read(String name) {
        try (InputStream in = ConsoleEndpoint.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException(ServiceMessage.INTERNAL_ERROR + " the console's file " + RESOURCES
                        + name + " is not in the jar: a broken build; rebuild the service with 'mvn package'");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console's file " + RESOURCES + name + " from the jar", e);
        }
    }

    @Override
    public HttpReply handle(HttpCall call) {
        return new HttpReply(200, text, headers, null);
    }
}
