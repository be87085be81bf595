package dev.lockstep.recoveryservice;

import dev.lockstep.tm.messages.MessageId;

/**
 * The message ids of the recovery service, {@code LKS-600} to {@code LKS-699}. The recovery it runs reports with the
 * core's ids (LKS-2xx, {@link dev.lockstep.tm.messages.TmMessage}); these are the service's own. Each id names one
 * condition, with what it means and what to do; docs/messages.md is rendered from this enum. Call sites keep their
 * own, specific text and start it with the constant: its {@code toString()} is the id.
 */
public enum ServiceMessage implements MessageId {

    LISTING_NOT_SERIALIZED(601,
            "The in-doubt listing did not serialize to JSON.",
            "A bug: report it with the command."),
    HTTP_START_FAILED(610,
            "The daemon's HTTP side cannot listen on its address and port.",
            "Free the port or change http.port / http.address; the message names both."),
    HTTP_RESOLVE_DISABLED(611,
            "POST /api/resolve was called, but no token is configured, so mutating calls are disabled (403).",
            "Set http.token.file or http.token.env and restart the daemon, or resolve with the command line."),
    HTTP_UNAUTHORIZED(612,
            "A mutating HTTP call came without the bearer token, or with a wrong one (401).",
            "Send the header 'Authorization: Bearer TOKEN' with the token of http.token.file or http.token.env."),
    HTTP_BODY_TOO_LARGE(613,
            "An HTTP request body is larger than the service accepts (413).",
            "Send the small JSON document the endpoint expects (docs/recovery-service.md)."),
    HTTP_BAD_REQUEST(614,
            "An HTTP request body is not the JSON document the endpoint expects (400).",
            "Send the fields docs/recovery-service.md lists for the endpoint."),
    HTTP_NO_SUCH_ENDPOINT(615,
            "An HTTP request named a path the service does not serve (404), or a method the path does not take "
            + "(405).",
            "Use one of the endpoints of docs/recovery-service.md with its method."),
    HTTP_CALL_FAILED(616,
            "An HTTP call failed unexpectedly (500); the stack trace is on standard error.",
            "Report it with the request's method and path and the service's configuration (without passwords)."),
    HTTP_EVENTS_UNAVAILABLE(617,
            "GET /api/events was refused (503): http.events.clients streams are open already, or the daemon is "
            + "stopping.",
            "Close a stream you no longer read, raise http.events.clients, or reconnect once the daemon runs."),
    INTERNAL_ERROR(699,
            "An unexpected failure of the recovery service; the stack trace follows.",
            "Report it with the command and its configuration (without passwords).");

    private final MessageId.Entry entry;

    ServiceMessage(int number, String meaning, String action) {
        this.entry = new MessageId.Entry(number, meaning, action);
    }

    @Override
    public MessageId.Entry entry() {
        return entry;
    }

    /** The id, {@code LKS-nnn}: what a message starts with. */
    @Override
    public String toString() {
        return id();
    }
}
