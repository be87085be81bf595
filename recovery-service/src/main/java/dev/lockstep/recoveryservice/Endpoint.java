package dev.lockstep.recoveryservice;

/**
 * One endpoint of the daemon's HTTP side. {@link AdminServer} routes to it, checks the bearer token of mutating
 * routes and bounds the body before calling it, and turns anything it throws into a 500 answer with {@link ServiceMessage#HTTP_CALL_FAILED}; an
 * endpoint only says what to answer.
 */
@FunctionalInterface
interface Endpoint {

    HttpReply handle(HttpCall call) throws Exception;
}
