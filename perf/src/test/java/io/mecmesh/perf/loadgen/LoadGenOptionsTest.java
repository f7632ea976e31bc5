package io.mecmesh.perf.loadgen;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LoadGenOptionsTest
{
    @Test
    void shouldParseEveryOptionIntoTheConfig()
    {
        final LoadGenConfig config = LoadGenOptions.parse(new String[]{
            "--url", "https://mesh.example:8443/a?b=c", "--rate", "1500.5", "--connections", "4",
            "--duration", "2m", "--warmup", "250ms", "--body-size", "1024", "--http2", "--streams", "8",
            "--cert", "c.pem", "--key", "k.pem", "--cacert", "ca.pem", "--hlog", "x.hlog", "--json", "x.json",
            "--quiet", "--threads", "2", "--timeout", "1.5"});

        assertThat(config.target()).isEqualTo(
            new TargetUrl("https", "mesh.example", 8443, "/a?b=c", "mesh.example:8443"));
        assertThat(config.ratePerSecond()).isEqualTo(1500.5);
        assertThat(config.connections()).isEqualTo(4);
        assertThat(config.durationNs()).isEqualTo(120_000_000_000L);
        assertThat(config.warmupNs()).isEqualTo(250_000_000L);
        assertThat(config.bodySize()).isEqualTo(1024);
        assertThat(config.http2()).isTrue();
        assertThat(config.streams()).isEqualTo(8);
        assertThat(config.tls()).isTrue();
        assertThat(config.certificate()).contains(Path.of("c.pem"));
        assertThat(config.privateKey()).contains(Path.of("k.pem"));
        assertThat(config.caBundle()).contains(Path.of("ca.pem"));
        assertThat(config.hlogFile()).contains(Path.of("x.hlog"));
        assertThat(config.jsonFile()).contains(Path.of("x.json"));
        assertThat(config.quiet()).isTrue();
        assertThat(config.eventLoops()).isEqualTo(2);
        assertThat(config.timeoutNs()).isEqualTo(1_500_000_000L);
        assertThat(config.closedLoop()).isFalse();
    }

    @Test
    void shouldParseTheWatchedCoreAndProcessesAndRejectImpossibleOnes()
    {
        final LoadGenConfig config = LoadGenOptions.parse(new String[]{"--url", "http://127.0.0.1/", "--rate", "10",
            "--watch-cpu", "1", "--watch-pid", "100,101", "--watch-pid", "7"});

        assertThat(config.watchCpu()).hasValue(1);
        assertThat(config.watchPids()).containsExactly(100L, 101L, 7L);
        assertThat(LoadGenOptions.parse(new String[]{"--url", "http://127.0.0.1/", "--rate", "10"}).watchCpu())
            .isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> LoadGenOptions.parse(new String[]{
            "--url", "http://127.0.0.1/", "--rate", "10", "--watch-cpu", "-1"})).withMessageContaining("watch-cpu");
        assertThatIllegalArgumentException().isThrownBy(() -> LoadGenOptions.parse(new String[]{
            "--url", "http://127.0.0.1/", "--rate", "10", "--watch-pid", "0"})).withMessageContaining("watch-pid");
        assertThatIllegalArgumentException().isThrownBy(() -> LoadGenOptions.parse(new String[]{
            "--url", "http://127.0.0.1/", "--rate", "10", "--watch-pid", "nginx"})).withMessageContaining("--watch-pid");
    }

    @Test
    void shouldRejectCommandLinesThatCannotRunAsAsked()
    {
        assertThatIllegalArgumentException().isThrownBy(() -> LoadGenOptions.parse(new String[]{"--rate", "10"}))
            .withMessageContaining("--url");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> LoadGenOptions.parse(new String[]{"--url", "http://127.0.0.1/"}))
            .withMessageContaining("--rate");
        assertThatIllegalArgumentException().isThrownBy(() -> LoadGenOptions.parse(new String[]{
            "--url", "http://127.0.0.1/", "--rate", "10", "--streams", "4"})).withMessageContaining("--http2");
        assertThatIllegalArgumentException().isThrownBy(() -> LoadGenOptions.parse(new String[]{
            "--url", "http://127.0.0.1/", "--rate", "10", "--cert", "c.pem", "--key", "k.pem"}))
            .withMessageContaining("--tls");
        assertThatIllegalArgumentException().isThrownBy(() -> LoadGenOptions.parse(new String[]{
            "--url", "ftp://127.0.0.1/", "--rate", "10"})).withMessageContaining("scheme");
        assertThatIllegalArgumentException().isThrownBy(() -> LoadGenOptions.parse(new String[]{
            "--url", "http://127.0.0.1/", "--rate", "10", "--bogus"})).withMessageContaining("--bogus");
    }

    @Test
    void shouldPrintTheHelpWithEveryOption()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int exitCode = LoadGenerator.execute(new String[]{"--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));

        assertThat(exitCode).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--url", "--rate", "--connections", "--duration",
            "--warmup", "--body-size", "--http2", "--streams", "--tls", "--cert", "--key", "--cacert", "--closed-loop",
            "--hlog", "--json", "--quiet", "--watch-cpu", "--watch-pid");
    }
}
