package dev.lockstep.recoveryservice;

import com.sun.net.httpserver.Headers;
import java.net.InetSocketAddress;

/**
 * One HTTP request as an {@link Endpoint} sees it: already routed, authorised when its route needs it, and its body
 * read within {@link AdminServer#MAX_BODY_BYTES}.
 *
 * @param method the request method, upper case
 * @param path the request path, without the query
 * @param headers the request headers (read-only)
 * @param body the request body, empty for none
 * @param remote who called, for the log line
 */
record HttpCall(String method, String path, Headers headers, byte[] body, InetSocketAddress remote) {
}
