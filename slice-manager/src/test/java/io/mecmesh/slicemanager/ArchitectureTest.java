package io.mecmesh.slicemanager;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module's package rule (dataplane/DESIGN-request-path.md, "ArchUnit"): no cycles between its packages.
 */
final class ArchitectureTest
{
    @Test
    void shouldHaveNoCycleBetweenPackages()
    {
        final JavaClasses mainClasses = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.mecmesh.slicemanager");
        slices().matching("io.mecmesh.slicemanager.(**)")
            .should().beFreeOfCycles()
            .check(mainClasses);
    }
}
