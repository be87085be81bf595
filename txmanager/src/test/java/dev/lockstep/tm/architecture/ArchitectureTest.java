package dev.lockstep.tm.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the core (docs/design.md section 1), checked on the compiled classes so that it cannot erode
 * unnoticed. The rules for the other modules (they use only the public and SPI packages) are in the integration
 * tests' {@code ModuleBoundariesTest}, which sees every module.
 */
class ArchitectureTest {

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lockstep.tm");
    }

    @Test
    void theSpiAndTheLogCodecKnowNothingInternal() {
        noClasses().that().resideInAnyPackage("dev.lockstep.tm.spi..", "dev.lockstep.tm.log..")
                .should().dependOnClassesThat().resideInAPackage("dev.lockstep.tm.internal..")
                .because("pools, tools and a second decision store build on them; internals must stay free to change")
                .check(core);
    }

    @Test
    void theCoreDependsOnNothingVendorSpecific() {
        classes().that().resideInAPackage("dev.lockstep.tm..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.lockstep.tm..", "java..", "javax.naming..",
                        "javax.sql..", "javax.transaction.xa..", "jakarta.transaction..")
                .because("the core is the JTA implementation alone: drivers, pools and frameworks plug in from outside "
                        + "(the database decision store speaks JDBC through a DataSource the user gives, so javax.sql)")
                .check(core);
    }

    @Test
    void internalPackagesFormNoCycles() {
        slices().matching("dev.lockstep.tm.internal.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void internalsNeverCallBackIntoThePublicFacades() {
        noClasses().that().resideInAPackage("dev.lockstep.tm.internal..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lockstep.tm", "dev.lockstep.tm.jndi..")
                .because("Lockstep and the JNDI factory assemble the internals, not the other way round")
                .check(core);
    }
}
