package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RPM and the OCI image that {@code -Ppackages} builds (packaging/target/rpm, packaging/target/oci), installed and
 * run as an operator would: the RPM into an empty root with {@code rpm --root}, the image unpacked with umoci and run
 * in a chroot (its own mount and PID namespace, as an unprivileged user namespace's root; the host's network), and
 * the RPM with its scriptlets into the image's Debian root. Needs root (as -Ppackages does). Excluded from the
 * default build; {@code mvn -B verify -Ppackages} runs it (.ci/run does).
 */
class PackagesConformanceTest
{
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldInstallTheRpmIntoARootAndRunTheInstalledVersionAndCheck(@TempDir final Path root) throws Exception
    {
        final Path rpm = single(packages().resolve("rpm"), "mecmesh-", ".rpm");

        // No scriptlets: an empty root has no /bin/sh to run them (%pre's user, %post's class-data archive).
        final Processes.Result install = Processes.exec(root, COMMAND_TIMEOUT,
            Processes.onPath("rpm", "rpm"), "--root", root.toString(), "-i", "--nodeps", "--noscripts", rpm.toString());

        assertThat(install.exitCode()).as(install.output()).isZero();
        assertThat(Files.readSymbolicLink(root.resolve("usr/bin/mecmesh")))
            .isEqualTo(Path.of("../../opt/mecmesh/bin/mecmesh"));
        assertThat(root.resolve("opt/mecmesh/runtime/bin/java")).isExecutable();
        assertThat(root.resolve("opt/mecmesh/README.md")).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("var/lib/mecmesh"))))
            .isEqualTo("rwxr-x---");
        assertThat(Files.readString(root.resolve("usr/lib/sysusers.d/mecmesh.conf"))).contains("u mecmesh ");
        assertThat(Files.readString(root.resolve("usr/lib/systemd/system/mecmesh.service")))
            .contains("User=mecmesh", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "SystemCallFilter=@system-service",
                "Documentation=file:///opt/mecmesh/README.md");
        final Processes.Result configFiles = Processes.exec(root, COMMAND_TIMEOUT, Processes.onPath("rpm", "rpm"),
            "--root", root.toString(),
            "-q", "--configfiles", "mecmesh");
        assertThat(configFiles.output()).isEqualTo("/etc/mecmesh/appliance.yaml\n");

        final Processes.Result version = Processes.exec(root, COMMAND_TIMEOUT,
            root.resolve("usr/bin/mecmesh").toString(), "--version");
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("mecmesh ");

        // The installed configuration, its data directory moved into the root (the host has no /var/lib/mecmesh).
        final Path config = root.resolve("etc/mecmesh/appliance.yaml");
        Files.writeString(config, Files.readString(config)
            .replace("dataDirectory: /var/lib/mecmesh", "dataDirectory: " + root.resolve("var/lib/mecmesh")));
        final Processes.Result check = Processes.exec(root, COMMAND_TIMEOUT,
            root.resolve("usr/bin/mecmesh").toString(), "check", "--config", config.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("ok     " + config + ": role edge").contains("0 errors");
    }

    @Test
    void shouldCreateTheUserAndRecordTheClassDataArchiveWhenItsScriptletsRunInADebianRoot(@TempDir final Path work)
        throws Exception
    {
        final Path rpm = single(packages().resolve("rpm"), "mecmesh-", ".rpm");
        // A Debian root with a shell, getent and useradd for the scriptlets: the image's, without its mecmesh user.
        final Path rootfs = unpack(work, false);
        for (final String file : List.of("etc/passwd", "etc/group", "etc/shadow"))
        {
            final Path path = rootfs.resolve(file);
            Files.write(path, Files.readAllLines(path).stream().filter(l -> !l.startsWith("mecmesh:")).toList());
        }
        Files.delete(rootfs.resolve("opt/mecmesh/lib/mecmesh.jsa"));
        Files.delete(rootfs.resolve("opt/mecmesh/lib/mecmesh-edge.jsa"));

        // rpm runs the scriptlets chrooted into the root: /proc (the runtime finds its libraries through it) and
        // /dev mounted there, in a mount namespace of their own.
        final Processes.Result install = Processes.exec(work, COMMAND_TIMEOUT, "", List.of(
            Processes.onPath("util-linux", "unshare"), "--mount", "--pid", "--fork", "sh", "-c",
            "mount --bind \"$0\" \"$0\" && mount -t proc proc \"$0/proc\" && mount --rbind /dev \"$0/dev\""
                + " && exec rpm --root \"$0\" -i --nodeps \"$1\"",
            rootfs.toString(), rpm.toString()));

        assertThat(install.exitCode()).as(install.output()).isZero();
        assertThat(Files.readAllLines(rootfs.resolve("etc/passwd"))).anySatisfy(line -> assertThat(line)
            .startsWith("mecmesh:x:").endsWith(":mecmesh service-mesh appliance:/var/lib/mecmesh:/usr/sbin/nologin"));
        assertThat(Files.size(rootfs.resolve("opt/mecmesh/lib/mecmesh.jsa"))).as("recorded by %post").isPositive();
        assertThat(Files.size(rootfs.resolve("opt/mecmesh/lib/mecmesh-edge.jsa"))).as("recorded by %post")
            .isPositive();
        // -Xshare:on: the JVM refuses to start unless it maps the archive.
        final List<String> version = new ArrayList<>(List.of("env", "MECMESH_JAVA_OPTS=-Xshare:on"));
        version.addAll(inImage(rootfs, "mecmesh", "--version"));
        final Processes.Result started = Processes.exec(work, COMMAND_TIMEOUT, "", version);
        assertThat(started.exitCode()).as(started.output()).isZero();
        assertThat(started.output()).startsWith("mecmesh ");
        // An edge's `run` maps the edge's own archive (the launcher picks it for role edge).
        final List<String> edge = new ArrayList<>(List.of("env", "MECMESH_JAVA_OPTS=-Xshare:on"));
        edge.addAll(inImage(rootfs, "mecmesh", "run", "--config", "/etc/mecmesh/appliance.yaml", "--check"));
        final Processes.Result checked = Processes.exec(work, COMMAND_TIMEOUT, "", edge);
        assertThat(checked.exitCode()).as(checked.output()).isZero();
        assertThat(checked.output()).contains("/etc/mecmesh/appliance.yaml: OK");
    }

    @Test
    void shouldDescribeTheImageWithLabelsEntrypointNonRootUserPortsAndHealthCheck(@TempDir final Path work)
        throws Exception
    {
        final String image = image();
        final String skopeo = Processes.onPath("skopeo", "skopeo");

        final JsonNode inspect = json(Processes.exec(work, COMMAND_TIMEOUT, skopeo, "inspect", image));
        final JsonNode config = json(Processes.exec(work, COMMAND_TIMEOUT, skopeo, "inspect", "--config", "--raw",
            image)).path("config");

        assertThat(inspect.path("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("mecmesh");
        assertThat(inspect.path("Labels").path("org.opencontainers.image.version").asText()).isNotEmpty();
        assertThat(inspect.path("Labels").path("org.opencontainers.image.revision").asText()).isNotEmpty();
        assertThat(inspect.path("Labels").path("org.opencontainers.image.licenses").asText()).isEqualTo("Apache-2.0");
        assertThat(texts(config.path("Entrypoint")))
            .containsExactly("/opt/mecmesh/bin/mecmesh", "run", "--config", "/etc/mecmesh/appliance.yaml");
        assertThat(config.path("User").asText()).isEqualTo("10001:10001");
        assertThat(fieldNames(config.path("ExposedPorts"))).containsExactlyInAnyOrder("15000/tcp", "15001/tcp");
        assertThat(texts(config.path("Healthcheck").path("Test"))).first().isEqualTo("CMD");
        assertThat(texts(config.path("Healthcheck").path("Test"))).last().asString().contains("/ready");
    }

    @Test
    void shouldRunVersionAndTheDemoFromTheUnpackedImage(@TempDir final Path work) throws Exception
    {
        final Path rootfs = unpack(work, true);
        final String passwd = Files.readString(rootfs.resolve("etc/passwd"));
        assertThat(passwd).contains("mecmesh:x:10001:10001:");

        final Processes.Result version = Processes.exec(work, COMMAND_TIMEOUT, "",
            inImage(rootfs, "mecmesh", "--version"));
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("mecmesh ");
        final Processes.Result check = Processes.exec(work, COMMAND_TIMEOUT, "",
            inImage(rootfs, "mecmesh", "check", "--config", "/etc/mecmesh/appliance.yaml"));
        assertThat(check.exitCode()).as(check.output()).isZero();

        final Process demo = new ProcessBuilder(inImage(rootfs, "mecmesh", "demo", "--proxy-port", "0",
            "--admin-port", "0")).redirectError(work.resolve("demo.err").toFile()).start();
        try
        {
            final List<String> printed = DemoConformanceTest.readUntilCtrlCHint(demo);
            final String curl = printed.stream().map(DemoConformanceTest.CURL_LINE::matcher)
                .filter(Matcher::matches).map(m -> m.group(1)).findFirst()
                .orElseThrow(() -> new AssertionError("no curl line in: " + printed + "; stderr: "
                    + readQuietly(work.resolve("demo.err"))));

            final Processes.Result response = Processes.exec(work, COMMAND_TIMEOUT,
                DemoConformanceTest.tokens(curl));

            // curl's progress meter (standard error) comes first in the output.
            assertThat(response.output()).contains("HTTP/1.1 200 OK")
                .contains("hello from the mecmesh demo backend (GET /hello");
        }
        finally
        {
            Processes.stop(demo);
        }
        assertThat(Files.readString(work.resolve("demo.err"))).doesNotContain("ERROR").doesNotContain("Exception");
    }

    /** Unpacks the image into DIR/bundle/rootfs, as the current user (rootless) or with the image's owners. */
    private static Path unpack(final Path work, final boolean rootless) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(Processes.onPath("umoci", "umoci"), "unpack"));
        if (rootless)
        {
            command.add("--rootless");
        }
        command.addAll(List.of("--image", image().substring("oci:".length()), work.resolve("bundle").toString()));
        final Processes.Result unpack = Processes.exec(work, COMMAND_TIMEOUT, "", command);
        assertThat(unpack.exitCode()).as(unpack.output()).isZero();
        return work.resolve("bundle/rootfs");
    }

    /**
     * A command run in the unpacked root as a container runtime would set it up, without one: new user, mount and PID
     * namespaces; the root a mount point of its own (the JDK's FileStore and Aeron look it up in /proc/self/mounts),
     * /proc of the new PID namespace, the host's /dev (an unprivileged unpack has no device nodes: /dev/urandom).
     */
    private static List<String> inImage(final Path rootfs, final String... command)
    {
        final List<String> line = new ArrayList<>(List.of(Processes.onPath("util-linux", "unshare"),
            "--map-root-user", "--mount", "--pid", "--fork", "--kill-child=SIGTERM", "sh", "-c",
            "mount --bind \"$0\" \"$0\" && mount -t proc proc \"$0/proc\" && mount --rbind /dev \"$0/dev\""
                + " && exec chroot \"$0\" \"$@\"",
            rootfs.toString()));
        line.addAll(List.of(command));
        return line;
    }

    private static String readQuietly(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    private static Path packages()
    {
        final String dir = System.getProperty("mecmesh.packages");
        if (dir == null)
        {
            throw new IllegalStateException("mecmesh.packages is not set: run through Maven (mvn verify -Ppackages)");
        }
        return Path.of(dir);
    }

    private static String image() throws IOException
    {
        final Path layout = packages().resolve("oci/image");
        final JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        final String tag = index.path("manifests").path(0).path("annotations")
            .path("org.opencontainers.image.ref.name").asText();
        assertThat(tag).as("the image's tag in " + layout).isNotEmpty();
        return "oci:" + layout + ":" + tag;
    }

    private static Path single(final Path dir, final String prefix, final String suffix) throws IOException
    {
        assertThat(dir).as("built by mvn package -Ppackages").isDirectory();
        try (Stream<Path> files = Files.list(dir))
        {
            final List<Path> found = files.filter(f -> f.getFileName().toString().startsWith(prefix)
                && f.getFileName().toString().endsWith(suffix)).toList();
            assertThat(found).as(dir + ": one " + prefix + "*" + suffix).hasSize(1);
            return found.get(0);
        }
    }

    private static JsonNode json(final Processes.Result result) throws IOException
    {
        assertThat(result.exitCode()).as(result.output()).isZero();
        return JSON.readTree(result.output().getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(final JsonNode array)
    {
        final List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static List<String> fieldNames(final JsonNode object)
    {
        final List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
