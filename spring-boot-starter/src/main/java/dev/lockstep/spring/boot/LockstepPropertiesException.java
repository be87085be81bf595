package dev.lockstep.spring.boot;

import java.util.List;

/**
 * The {@code lockstep.*} properties are wrong: every problem found, one per line, each naming its property and how to
 * fix it. Thrown before anything is built, so nothing has to be undone; {@link LockstepFailureAnalyzer} prints it as
 * Boot's startup failure report.
 */
public class LockstepPropertiesException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public LockstepPropertiesException(List<String> problems) {
        super(StarterMessage.PROPERTIES_INVALID + " the lockstep.* properties have " + problems.size()
                + " problem(s):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, each starting with the property it is about. */
    public List<String> problems() {
        return problems;
    }
}
