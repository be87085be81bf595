package dev.lockstep.spring.boot;

import dev.lockstep.tm.Lockstep;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The Actuator endpoint {@code lockstep} ({@code GET /actuator/lockstep} once exposed:
 * {@code management.endpoints.web.exposure.include=health,lockstep}): this node's transactions in flight with their
 * branches, the branches waiting for a phase-two retry, the heuristics, and the last in-process recovery scan, as a
 * {@link LockstepReport}. Read-only: resolving a heuristic stays with the recovery service, which checks who asks.
 * Each read takes a {@link Lockstep#snapshot()}, which never blocks a commit.
 */
@Endpoint(id = "lockstep")
public final class LockstepEndpoint {

    private final Lockstep lockstep;
    private final ObjectProvider<LockstepRecovery> recovery;
    private final SecretRedactor redactor;

    LockstepEndpoint(Lockstep lockstep, ObjectProvider<LockstepRecovery> recovery, SecretRedactor redactor) {
        this.lockstep = Objects.requireNonNull(lockstep, "lockstep");
        this.recovery = recovery;
        this.redactor = redactor;
    }

    @ReadOperation
    public LockstepReport report() {
        return LockstepReport.of(lockstep, recovery.getIfAvailable(), redactor);
    }
}
