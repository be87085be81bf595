package dev.lockstep.recoveryservice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.tm.messages.TmMessage;
import dev.lockstep.tm.recovery.ResolveRefusedException;
import dev.lockstep.tm.recovery.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code POST /api/resolve} with {@code {"gtrid": "…", "verdict": "commit" | "rollback"}}: the {@code resolve}
 * command through the daemon's own recovery (which already holds the nodes, so the daemon need not stop). 200 when
 * every action succeeded, 202 when the decision is recorded but a branch could not be finished yet (the scans go on
 * with it; the command exits 1 then); a refusal answers the status of {@link #status(TmMessage)} with its LKS id.
 */
final class ResolveEndpoint implements Endpoint {

    private final DaemonView daemon;
    private final EventLog events;

    ResolveEndpoint(DaemonView daemon, EventLog events) {
        this.daemon = daemon;
        this.events = events;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        JsonNode body;
        try {
            body = HttpReply.JSON.readTree(new String(call.body(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            // Not the parser's message: it quotes the body, and the body is the client's, whatever it holds.
            return badRequest("the body is not JSON (at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        }
        if (body == null || !body.isObject()) {
            return badRequest("the body is not a JSON object");
        }
        JsonNode gtrid = body.get("gtrid");
        JsonNode verdict = body.get("verdict");
        if (gtrid == null || !gtrid.isTextual() || gtrid.asText().isBlank()) {
            return badRequest("\"gtrid\" is missing: give the transaction's gtrid as GET /api/in-doubt shows it");
        }
        Verdict v = verdict == null || !verdict.isTextual() ? null : switch (verdict.asText().toLowerCase(Locale.ROOT)) {
            case "commit" -> Verdict.COMMIT;
            case "rollback" -> Verdict.ROLLBACK;
            default -> null;
        };
        if (v == null) {
            return badRequest("\"verdict\" must be \"commit\" or \"rollback\"");
        }
        String hex = gtrid.asText().trim().toLowerCase(Locale.ROOT);
        try {
            Resolution done = new Resolution(hex, v, daemon.resolve(hex, v));
            done.print(events);
            return HttpReply.json(done.finished() ? 200 : 202, done.json());
        } catch (ResolveRefusedException e) {
            events.error("resolve_refused").add("detail", e.getMessage()).print();
            return HttpReply.error(status(e.reason()), e.reason(), e.getMessage().substring(
                    e.reason().toString().length()).strip());
        }
    }

    /**
     * The status of a refusal: the request names nothing this service can act on (400, 422), the transaction has
     * nothing to resolve (404), its state forbids the decision (409), or the log could not be read or written now and
     * a retry may work (503).
     */
    static int status(TmMessage reason) {
        return switch (reason) {
            case RESOLVE_NOT_A_GTRID -> 400;
            case RESOLVE_FOREIGN_GTRID, RESOLVE_OTHER_NODE -> 422;
            case RESOLVE_NOTHING_IN_DOUBT -> 404;
            case RESOLVE_ROLLBACK_OF_COMMIT, RESOLVE_OWNER_ALIVE, RESOLVE_LOG_MISSING, RESOLVE_CORRUPT_LOG -> 409;
            case RESOLVE_LOG_DIRECTORY_UNREADABLE, RESOLVE_TAKE_OVER_FAILED, RESOLVE_WRITE_FAILED -> 503;
            default -> 409;
        };
    }

    private static HttpReply badRequest(String why) {
        return HttpReply.error(400, ServiceMessage.HTTP_BAD_REQUEST, why + "; send {\"gtrid\": \"…\", "
                + "\"verdict\": \"commit\" | \"rollback\"}");
    }
}
