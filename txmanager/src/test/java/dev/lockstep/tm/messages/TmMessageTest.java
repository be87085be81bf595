package dev.lockstep.tm.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's message catalogue: its ids are unique and inside the core's range, no id is typed by hand anywhere else
 * in the core's sources, and docs/messages.md shows the catalogue as it is (run with
 * {@code -Dlockstep.renderMessages=true} to rewrite the core's section). Each other module's catalogue has the same
 * test; the integration tests check that the catalogues of all modules together never share an id.
 */
class TmMessageTest {

    static final Path DOC = Path.of("..", "docs", "messages.md");

    @Test
    void idsAreUniqueAndInsideTheCoresRange() {
        assertEquals(List.of(), MessageCatalogue.problems(MessageRange.TXMANAGER, TmMessage.class));
    }

    @Test
    void noIdIsTypedByHandOutsideTheCatalogue() throws IOException {
        assertEquals(List.of(), MessageCatalogue.idsTypedByHand(Path.of("src", "main", "java"), TmMessage.class));
    }

    @Test
    void theScanFindsAnIdTypedByHand(@TempDir Path src) throws IOException {
        Path catalogue = src.resolve("dev/lockstep/tm/messages/TmMessage.java");
        Files.createDirectories(catalogue.getParent());
        Files.writeString(catalogue, "// LKS-001 is allowed here");
        Path other = src.resolve("dev/lockstep/tm/Other.java");
        Files.writeString(other,
                "class Other {\n    String m = \"LKS-133 the outcome\";\n    String j = \"LKS-J01\";\n}\n");

        assertEquals(List.of("dev/lockstep/tm/Other.java:2: String m = \"LKS-133 the outcome\";",
                "dev/lockstep/tm/Other.java:3: String j = \"LKS-J01\";"),
                MessageCatalogue.idsTypedByHand(src, TmMessage.class).stream().map(s -> s.replace('\\', '/')).toList());
    }

    @Test
    void theChecksFindAWrongNameADuplicateAnIdOutsideTheRangeAndDisorder() {
        List<String> problems = MessageCatalogue.problems(MessageRange.JDBC, Broken.class);
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("Broken is not the catalogue JdbcMessage"), problems.toString());
        assertTrue(problems.get(1).contains("LKS-401 is used by both FIRST and SECOND"), problems.toString());
        assertTrue(problems.get(2).contains("LKS-133 (THIRD) is outside the range"), problems.toString());
        assertTrue(problems.get(3).contains("LKS-133 (THIRD) is out of order"), problems.toString());
    }

    @Test
    void theRangesOfTheModulesDoNotOverlap() {
        MessageRange[] all = MessageRange.values();
        for (int i = 0; i < all.length; i++) {
            assertTrue(all[i].first() <= all[i].last(), all[i].toString());
            for (int j = i + 1; j < all.length; j++) {
                assertTrue(all[i].last() < all[j].first() || all[j].last() < all[i].first(),
                        all[i] + " overlaps " + all[j]);
            }
        }
    }

    @Test
    void anIdPrintsAsLksAndThreeDigits() {
        assertEquals("LKS-001", TmMessage.UNFINISHED_DECISIONS_AT_START.toString());
        assertEquals("LKS-133 the outcome", TmMessage.OUTCOME_UNKNOWN + " the outcome");
    }

    /** docs/messages.md lists every module's range and holds the core's section as the catalogue renders it. */
    @Test
    void documentMatchesTheCatalogue() throws IOException {
        boolean render = Boolean.getBoolean("lockstep.renderMessages");
        if (!MessageCatalogue.documentMatches(DOC, MessageRange.TXMANAGER, TmMessage.class, render)) {
            fail("docs/messages.md does not match TmMessage; regenerate its section with "
                    + "mvn -pl txmanager test -Dtest=TmMessageTest -Dlockstep.renderMessages=true");
        }
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        for (MessageRange r : MessageRange.values()) {
            String row = "| " + r.module() + " | " + MessageId.id(r.first()) + " to " + MessageId.id(r.last())
                    + " | `" + r.catalogue() + "` |";
            assertTrue(doc.contains(row), "docs/messages.md lacks the range row " + row);
        }
    }

    /** A catalogue that breaks the rules, to show that the checks above can fail. */
    enum Broken implements MessageId {
        FIRST(401), SECOND(401), THIRD(133);

        private final Entry entry;

        Broken(int number) {
            this.entry = new Entry(number, "A meaning.", "An action.");
        }

        @Override
        public Entry entry() {
            return entry;
        }

        @Override
        public String toString() {
            return id();
        }
    }
}
