package dev.lockstep.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.tm.messages.MessageCatalogue;
import dev.lockstep.tm.messages.MessageRange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The message catalogue of the Hibernate integration: its ids are unique and inside its range, no id is typed by hand
 * anywhere else in its sources, and its section of docs/messages.md shows the catalogue as it is (run with {@code
 * -Dlockstep.renderMessages=true} to rewrite that section). The rules are the core's {@link MessageCatalogue}; the
 * integration tests check all modules' catalogues together.
 */
class HibernateMessageTest {

    @Test
    void idsAreUniqueAndInsideTheModulesRange() {
        assertEquals(List.of(), MessageCatalogue.problems(MessageRange.HIBERNATE, HibernateMessage.class));
    }

    @Test
    void noIdIsTypedByHandOutsideTheCatalogue() throws IOException {
        assertEquals(List.of(), MessageCatalogue.idsTypedByHand(Path.of("src", "main", "java"),
                HibernateMessage.class));
    }

    @Test
    void documentMatchesTheCatalogue() throws IOException {
        Path doc = Path.of("..", "docs", "messages.md");
        if (!MessageCatalogue.documentMatches(doc, MessageRange.HIBERNATE, HibernateMessage.class,
                Boolean.getBoolean("lockstep.renderMessages"))) {
            fail("docs/messages.md does not match HibernateMessage; regenerate its section with "
                    + "mvn -pl hibernate -am test -Dtest=HibernateMessageTest "
                    + "-Dsurefire.failIfNoSpecifiedTests=false -Dlockstep.renderMessages=true");
        }
    }
}
