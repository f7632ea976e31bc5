package io.mecmesh.dataplane;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.mecmesh.dataplane.upstream.ForwardHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data plane's package rules (dataplane/DESIGN-request-path.md, "ArchUnit"), checked on its main classes:
 * no package cycles, the root package as the composition root that no subpackage depends on, the HTTP/1.1 codec
 * confined to its package and the classes that build it, and each third-party library in its lane.
 */
final class ArchitectureTest
{
    /** The classes that build HTTP/1.1 codecs into pipelines (and their nested classes). */
    private static final String CODEC_BUILDERS = "io\\.mecmesh\\.dataplane\\."
        + "(pipeline\\.PipelineAssembler|upstream\\.UpstreamPool|cluster\\.HealthChecker)(\\$.*)?";

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
    void shouldConfineTheHttp1CodecToItsPackageAndTheCodecBuilders()
    {
        noClasses().that().resideOutsideOfPackage("io.mecmesh.dataplane.http1..")
            .and().haveNameNotMatching(CODEC_BUILDERS)
            .should().dependOnClassesThat().resideInAPackage("io.mecmesh.dataplane.http1..")
            .because("the stages read request heads through the views in http (DESIGN-request-path.md rule 3)")
            .check(mainClasses);
    }

    @Test
    void shouldKeepTheHeadViewsFreeOfCodecs()
    {
        noClasses().that().resideInAPackage("io.mecmesh.dataplane.http")
            .should().dependOnClassesThat().resideInAnyPackage("io.mecmesh.dataplane.http1..",
                "io.mecmesh.dataplane.http2..")
            .check(mainClasses);
    }

    @Test
    void shouldKeepTheModelPackagesFreeOfTheSnapshotAndThePipeline()
    {
        // upstream joins the list when ForwardHandler moves to stage.forward (step 6): it reads the exchange today.
        noClasses().that().resideInAnyPackage("io.mecmesh.dataplane.route..", "io.mecmesh.dataplane.classify..",
                "io.mecmesh.dataplane.cluster..", "io.mecmesh.dataplane.policy..", "io.mecmesh.dataplane.authz..",
                "io.mecmesh.dataplane.overload..", "io.mecmesh.dataplane.qos..", "io.mecmesh.dataplane.balance..")
            .should().dependOnClassesThat().resideInAnyPackage("io.mecmesh.dataplane.exchange..",
                "io.mecmesh.dataplane.pipeline..", "io.mecmesh.dataplane.stage..")
            .because("the snapshot and the stages are built from the model, never the other way (rule 2)")
            .check(mainClasses);
    }

    @Test
    void shouldNeverLetAStageDependOnAnotherStage()
    {
        // Stage order (rule 2) in practice: stages share types through exchange and http only.
        slices().matching("io.mecmesh.dataplane.stage.(*)..")
            .should().notDependOnEachOther()
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

    @Test
    void shouldKeepForwardHandlerUnderFourHundredLines() throws IOException
    {
        // Rule 5: the forward stage keeps forwarding and retries only; balance, respond, replay, mirroring and the
        // connection lease live in their own classes. Counted as wc -l counts: every line of the source file.
        final Path source = Path.of(System.getProperty("basedir", "."), "src", "main", "java")
            .resolve(ForwardHandler.class.getName().replace('.', '/') + ".java");
        final String text = Files.readString(source);
        final long lines = text.chars().filter(c -> c == '\n').count();
        assertThat(lines)
            .as("lines of %s (issue 13: ForwardHandler under 400 lines)", source)
            .isPositive()
            .isLessThan(400);
    }
}
