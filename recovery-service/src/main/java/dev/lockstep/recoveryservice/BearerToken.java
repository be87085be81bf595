package dev.lockstep.recoveryservice;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The token of the HTTP side's mutating calls, checked in constant time: both sides are hashed with SHA-256 first,
 * so {@link MessageDigest#isEqual} compares two arrays of the same length and the time of a check tells nothing of
 * the token, not even its length. The token itself is never printed ({@link #toString()}).
 */
final class BearerToken {

    private static final String SCHEME = "bearer ";

    private final byte[] expectedHash;

    BearerToken(String token) {
        this.expectedHash = sha256(token);
    }

    /** True if {@code authorization} (the header's value, or null) is {@code Bearer <the token>}. */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return false;
        }
        return MessageDigest.isEqual(expectedHash, sha256(authorization.substring(SCHEME.length()).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[hidden]";
    }
}
