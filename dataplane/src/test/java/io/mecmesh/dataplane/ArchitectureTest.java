package io.mecmesh.dataplane;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The data plane's package rules (dataplane/DESIGN-request-path.md, "ArchUnit"), checked on its main classes:
 * no package cycles, the root package as the composition root that no subpackage depends on, and each
 * third-party library in its lane.
 */
final class ArchitectureTest
{
    private static JavaClasses mainClasses;

    @BeforeAll
    static void importMainClasses()
    {
        mainClasses = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.mecmesh.dataplane");
    }

    @Test
    void shouldHaveNoCycleBetweenSubpackages()
    {
        slices().matching("io.mecmesh.dataplane.(*)..")
            .should().beFreeOfCycles()
            .check(mainClasses);
    }

    @Test
    void shouldKeepTheRootPackageAsTheCompositionRootThatNoSubpackageDependsOn()
    {
        noClasses().that().resideInAPackage("io.mecmesh.dataplane.*..")
            .should().dependOnClassesThat().resideInAPackage("io.mecmesh.dataplane")
            .check(mainClasses);
    }

    @Test
    void shouldDependOnlyOnTheJdkNettyAgronaAndSlf4j()
    {
        classes().that().resideInAPackage("io.mecmesh.dataplane..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                "java..", "javax..", "io.netty..", "org.agrona..", "org.slf4j..", "io.mecmesh.dataplane..")
            .check(mainClasses);
    }
}
