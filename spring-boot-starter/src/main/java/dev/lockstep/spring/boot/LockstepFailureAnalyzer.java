package dev.lockstep.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints wrong {@code lockstep.*} properties as Boot's "APPLICATION FAILED TO START" report, one line each. */
class LockstepFailureAnalyzer extends AbstractFailureAnalyzer<LockstepPropertiesException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, LockstepPropertiesException cause) {
        return new FailureAnalysis("The lockstep.* properties are wrong:\n  - " + String.join("\n  - ", cause.problems()),
                "Fix each property named above in application.properties (or the environment). README, section "
                        + "\"Spring and Spring Boot\", lists every property with its default.",
                cause);
    }
}
