package io.mecmesh.conformance;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's README.md, whose commands and examples the tests run as printed (so that the two cannot drift).
 */
final class Readme
{
    private Readme()
    {
    }

    /**
     * @return README.md of the checkout whose distribution is under test ({@code mecmesh.home} is
     *     {@code CHECKOUT/packaging/target/mecmesh}).
     */
    static Path path()
    {
        final Path readme = Launcher.home().toAbsolutePath().normalize().resolve("../../../README.md").normalize();
        if (!Files.isRegularFile(readme))
        {
            throw new IllegalStateException(readme + " is missing: these tests run from the project's checkout");
        }
        return readme;
    }
}
