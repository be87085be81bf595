package dev.lockstep.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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

    @Test
    void theImportSawEveryModule() {
        for (String pkg : new String[] {"dev.lockstep.tm", "dev.lockstep.jdbc", "dev.lockstep.jms",
                "dev.lockstep.recovery", "dev.lockstep.spring", "dev.lockstep.hibernate"}) {
            if (production.stream().noneMatch(c -> c.getPackageName().startsWith(pkg))) {
                throw new AssertionError("no production class of " + pkg + " was imported: the rules above would "
                        + "pass without looking at it");
            }
        }
    }
}
