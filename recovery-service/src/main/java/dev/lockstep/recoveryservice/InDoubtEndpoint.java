package dev.lockstep.recoveryservice;

/** {@code GET /api/in-doubt}: what {@code list --json} prints, made by the same code from the daemon's recovery. */
final class InDoubtEndpoint implements Endpoint {

    private final DaemonView daemon;

    InDoubtEndpoint(DaemonView daemon) {
        this.daemon = daemon;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        return HttpReply.json(200, InDoubtListing.json(daemon.inspect()));
    }
}
