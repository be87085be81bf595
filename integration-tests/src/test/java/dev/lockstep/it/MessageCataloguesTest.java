package dev.lockstep.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.lockstep.tm.messages.MessageCatalogue;
import dev.lockstep.tm.messages.MessageId;
import dev.lockstep.tm.messages.MessageRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The message catalogues of all modules together (docs/messages.md), checked here because this module sees them all:
 * every catalogue found among the production classes is the one its range names, sound by itself, and no id is
 * used by two modules. Each module's own catalogue test checks its sources and its section of the document.
 */
class MessageCataloguesTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyModuleHasOneCatalogueAndNoIdIsUsedTwice() {
        Map<String, Class<? extends MessageId>> catalogues = new TreeMap<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lockstep")) {
            if (c.isEnum() && c.isAssignableTo(MessageId.class)) {
                catalogues.put(c.getSimpleName(), (Class<? extends MessageId>) c.reflect());
            }
        }
        List<String> problems = new ArrayList<>();
        Map<Integer, String> owners = new HashMap<>();
        for (MessageRange range : MessageRange.values()) {
            Class<? extends MessageId> catalogue = catalogues.remove(range.catalogue());
            if (catalogue == null) {
                problems.add("no catalogue " + range.catalogue() + " for " + range);
                continue;
            }
            problems.addAll(MessageCatalogue.problems(range, catalogue));
            for (MessageId m : MessageCatalogue.entries(catalogue)) {
                String other = owners.put(m.number(), catalogue.getSimpleName());
                if (other != null) {
                    problems.add(m.id() + " is in both " + other + " and " + catalogue.getSimpleName());
                }
            }
        }
        assertEquals(List.of(), problems);
        assertNull(catalogues.isEmpty() ? null : catalogues.keySet(), "catalogues without a range in MessageRange");
    }
}
