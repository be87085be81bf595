package dev.lockstep.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries between modules (docs/design.md section 1), checked here because this module sees them all: the
 * pools, the JMS factory, the recovery service and the container integrations use only the core's public and SPI
 * packages. The layering inside the core (and that it knows no other module) is txmanager's {@code ArchitectureTest}.
 */
class ModuleBoundariesTest {

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        // Other modules are on the class path as target/classes or as jars, depending on the Maven phase.
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lockstep");
    }

    @Test
    void otherModulesUseOnlyTheCoresPublicAndSpiPackages() {
        noClasses().that().resideOutsideOfPackage("dev.lockstep.tm..")
                .should().dependOnClassesThat().resideInAPackage("dev.lockstep.tm.internal..")
                .because("the core's internals change freely; what other modules need belongs in its API or SPI")
                .check(production);
    }

    /**
     * Two Enlistments, three gtrid types and four Decisions once made the code hard to read and to search (issue 12):
     * a name means one thing across the project, nested classes included. Private nested helpers may repeat, and so
     * may the nested {@code Builder} of a class, which is always read with its owner ({@code Lockstep.Builder}).
     */
    @Test
    void noTwoPublicOrPackageVisibleTypesShareASimpleName() {
        Map<String, List<String>> byName = new TreeMap<>();
        for (JavaClass c : production) {
            if (c.isAnonymousClass() || c.isLocalClass() || c.getModifiers().contains(JavaModifier.PRIVATE)
                    || c.getSimpleName().equals("package-info") || c.getSimpleName().isEmpty()
                    || (c.isNestedClass() && c.getSimpleName().equals("Builder"))) {
                continue;
            }
            byName.computeIfAbsent(c.getSimpleName(), k -> new ArrayList<>()).add(c.getName());
        }
        List<String> clashes = byName.values().stream().filter(names -> names.size() > 1)
                .map(names -> String.join(", ", names)).toList();
        assertTrue(clashes.isEmpty(), "types that share a simple name:\n" + String.join("\n", clashes));
    }

    @Test
    void theImportSawEveryModule() {
        for (String pkg : new String[] {"dev.lockstep.tm", "dev.lockstep.jdbc", "dev.lockstep.jms",
                "dev.lockstep.recoveryservice", "dev.lockstep.spring", "dev.lockstep.hibernate",
                "dev.lockstep.metrics"}) {
            if (production.stream().noneMatch(c -> c.getPackageName().startsWith(pkg))) {
                throw new AssertionError("no production class of " + pkg + " was imported: the rules above would "
                        + "pass without looking at it");
            }
        }
    }
}
