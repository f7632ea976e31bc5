package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README.md's test command works on a fresh machine: it is {@code .ci/run}, which installs what is missing and then
 * runs exactly {@code mvn -B verify -Ppackages} (the command CI runs: the suite and the packaging tests).
 */
class ReadmeConformanceTest
{
    @Test
    void shouldShowCiRunAsTheTestCommandWhichEndsByRunningExactlyMvnVerifyWithThePackages() throws Exception
    {
        final String readme = Files.readString(Readme.path());
        final Path ciRun = Readme.path().resolveSibling(".ci/run");

        assertThat(readme).as("the README's test command").contains("```sh\n.ci/run\n```");
        assertThat(ciRun).isExecutable();
        final List<String> commands = Files.readAllLines(ciRun).stream().map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        assertThat(commands).last().isEqualTo("mvn -B verify -Ppackages");
        assertThat(commands).filteredOn(line -> line.startsWith("mvn")).containsExactly("mvn -B verify -Ppackages");
        assertThat(readme).as("the README says what it runs").contains("runs exactly `mvn -B verify -Ppackages`");
        final Processes.Result syntax = Processes.exec(ciRun.getParent(), Duration.ofSeconds(30), "bash",
            "-n", ciRun.toString());
        assertThat(syntax.exitCode()).as(syntax.output()).isZero();
    }
}
