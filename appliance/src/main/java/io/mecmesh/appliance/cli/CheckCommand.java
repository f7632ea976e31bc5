package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.CaConfig;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.appliance.config.IdentityConfig;
import io.mecmesh.appliance.config.TelemetryConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.identity.KeyMatch;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.SigningAuthority;
import io.mecmesh.slicemanager.ca.SigningService;
import io.mecmesh.slicemanager.ca.SiteAuthority;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code mecmesh check}: everything {@code mecmesh run} would find wrong with a configuration before it starts, and
 * more, without starting anything: the configuration itself, the files it names (distribution key, join tokens,
 * CA and site-CA key stores with their passphrases, TLS certificates and keys, the persisted node identity, the data
 * directory) and how long the certificates have left; and desired-state documents, validated offline as
 * {@code apply -f} would. One line per check ({@code ok}, {@code warn} or {@code error}), a summary, and the exit
 * code of the first error.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Check a configuration with its keys and certificates, or desired-state documents.")
final class CheckCommand implements Callable<Integer>
{
    static final Path DEFAULT_CONFIG = Path.of("/etc/mecmesh/appliance.yaml");
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
        PosixFilePermission.OWNER_WRITE);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "The appliance configuration (default: /etc/mecmesh/appliance.yaml, unless only -f is given).")
    Path config;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
        description = "A desired-state document to validate offline, as apply -f would; may be repeated.")
    List<Path> documents = new ArrayList<>();

    @Option(names = "--warn-days", paramLabel = "DAYS", defaultValue = "7",
        description = "Warn about certificates that expire within DAYS days (default: ${DEFAULT-VALUE}).")
    long warnDays;

    private PrintWriter out;
    private int errors;
    private int warnings;
    private int firstErrorCode = ExitCode.OK;

    @Override
    public Integer call()
    {
        out = spec.commandLine().getOut();
        if (warnDays < 0)
        {
            spec.commandLine().getErr().println("mecmesh: --warn-days: expected 0 or more, got " + warnDays);
            return ExitCode.USAGE;
        }
        if (config != null || documents.isEmpty())
        {
            checkConfiguration(config == null ? DEFAULT_CONFIG : config);
        }
        for (final Path document : documents)
        {
            checkDocument(document);
        }
        out.printf("%d error%s, %d warning%s%n", errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
        out.flush();
        return firstErrorCode;
    }

    private void checkConfiguration(final Path file)
    {
        final ApplianceConfig loaded;
        try
        {
            loaded = RunCommand.load(file);
        }
        catch (final CommandFailedException ex)
        {
            error(ex.exitCode(), ex.getMessage());
            return;
        }
        ok(file + ": role " + loaded.role().name().toLowerCase(Locale.ROOT) + ", node "
            + loaded.node().id() + ", " + loaded.dataplane().listeners().size() + " listeners, "
            + loaded.dataplane().routes().size() + " routes, " + loaded.dataplane().clusters().size() + " clusters");
        checkDataDirectory(loaded.dataDirectory());
        loaded.controlPlane().map(ControlPlaneConfig::keyFile).ifPresent(this::checkDistributionKey);
        loaded.ca().ifPresent(this::checkCa);
        loaded.identity().ifPresent(this::checkIdentity);
        loaded.telemetry().remoteWrite().ifPresent(remoteWrite -> checkRemoteWrite(remoteWrite,
            loaded.dataDirectory()));
        for (final ListenerConfig listener : loaded.dataplane().listeners())
        {
            listener.tls().filter(tls -> !tls.isNodeIdentity())
                .ifPresent(tls -> checkTlsFiles("dataplane.listeners." + listener.name() + ".tls", tls));
        }
        for (final ClusterConfig cluster : loaded.dataplane().clusters())
        {
            cluster.tls().filter(tls -> !tls.tls().isNodeIdentity())
                .ifPresent(tls -> checkTlsFiles("dataplane.clusters." + cluster.name() + ".tls", tls.tls()));
        }
    }

    private void checkDataDirectory(final Path directory)
    {
        if (Files.isDirectory(directory))
        {
            if (Files.isWritable(directory))
            {
                ok("dataDirectory " + directory + ": writable");
            }
            else
            {
                error(ExitCode.CONFIG, "dataDirectory " + directory + ": not writable by this user");
            }
            return;
        }
        final Path parent = directory.toAbsolutePath().getParent();
        if (parent != null && Files.isDirectory(parent) && Files.isWritable(parent))
        {
            warn("dataDirectory " + directory + ": does not exist yet (created at start)");
        }
        else
        {
            error(ExitCode.CONFIG, "dataDirectory " + directory + ": does not exist and cannot be created here");
        }
    }

    private void checkDistributionKey(final Path keyFile)
    {
        if (keyFile == null)
        {
            return;
        }
        final String what = "controlPlane.keyFile " + keyFile;
        final int bytes;
        try
        {
            bytes = RunCommand.distributionKey(keyFile);
        }
        catch (final CommandFailedException ex)
        {
            error(ex.exitCode(), ex.getMessage());
            return;
        }
        ok(what + ": " + bytes + " bytes");
        ownerOnly(what, keyFile);
    }

    private void checkCa(final CaConfig ca)
    {
        final Path keyStore = ca.directory().resolve(CaKeyStore.ROOT_FILE);
        final String what = "ca " + keyStore;
        try
        {
            final SigningAuthority root = CaKeyStore.readRoot(keyStore, CaKeyStore.passphrase(ca.passphraseFile()));
            ok(what + ": root CA of " + root.scope() + " opens with its passphrase");
            expiry(what, root.certificate());
        }
        catch (final RuntimeException ex)
        {
            error(ExitCode.CONFIG, "ca: " + ex.getMessage());
        }
        ca.joinTokenFile().ifPresent(file -> joinToken("ca.joinTokenFile", file));
    }

    private void checkIdentity(final IdentityConfig identity)
    {
        joinToken("identity.joinTokenFile", identity.joinTokenFile());
        final Path persisted = identity.directory().resolve("identity.pem");
        final String what = "identity " + persisted;
        if (!Files.exists(persisted))
        {
            ok(what + ": none yet (requested from the control plane's CA at start)");
        }
        else
        {
            try
            {
                Pem.readPrivateKey(persisted);
                final List<X509Certificate> chain = Pem.readCertificates(persisted);
                ok(what + ": " + chain.get(0).getSubjectX500Principal().getName() + ", key readable");
                expiry(what, chain.get(0));
                ownerOnly(what, persisted);
            }
            catch (final RuntimeException ex)
            {
                error(ExitCode.CONFIG, what + ": " + ex.getMessage());
            }
        }
        identity.siteCa().ifPresent(site ->
        {
            final Path keyStore = site.directory().resolve(SiteAuthority.KEY_STORE_FILE);
            final String where = "identity.siteCa " + keyStore;
            try
            {
                final SigningAuthority intermediate = CaKeyStore.readSiteIntermediate(keyStore,
                    CaKeyStore.passphrase(site.passphraseFile(), SiteAuthority.PASSPHRASE_VARIABLE));
                ok(where + ": site intermediate for " + intermediate.scope() + " opens with its passphrase");
                expiry(where, intermediate.certificate());
            }
            catch (final RuntimeException ex)
            {
                error(ExitCode.CONFIG, "identity.siteCa: " + ex.getMessage());
            }
        });
    }

    private void checkTlsFiles(final String what, final TlsConfig tls)
    {
        try
        {
            final List<X509Certificate> chain = Pem.readCertificates(tls.certificateChain());
            final PrivateKey key = Pem.readPrivateKey(tls.privateKey());
            final List<X509Certificate> bundle = Pem.readCertificates(tls.trustBundle());
            if (!KeyMatch.matches(key, chain.get(0)))
            {
                error(ExitCode.CONFIG, what + ": the private key " + tls.privateKey()
                    + " does not belong to the first certificate of " + tls.certificateChain());
                return;
            }
            ok(what + ": chain of " + chain.size() + ", key matches, bundle of " + bundle.size());
            expiry(what, chain.get(0));
            ownerOnly(what + " key", tls.privateKey());
        }
        catch (final RuntimeException ex)
        {
            error(ExitCode.CONFIG, what + ": " + ex.getMessage());
        }
    }

    private void checkDocument(final Path document)
    {
        try
        {
            final DesiredStateDocument.Declared declared = ClientOutput.validate(document.toString(),
                () -> DesiredStateDocument.standard().validate(ClientOutput.readYaml(document)));
            ok(document + ": " + declared.slices().size() + " slices, " + declared.services().size() + " services, "
                + declared.nodes().size() + " nodes");
        }
        catch (final CommandFailedException ex)
        {
            error(ex.exitCode(), ex.getMessage());
        }
    }

    private void joinToken(final String what, final Path file)
    {
        try
        {
            SigningService.readJoinToken(file);
            ok(what + " " + file + ": readable");
            ownerOnly(what + " " + file, file);
        }
        catch (final RuntimeException ex)
        {
            error(ExitCode.CONFIG, what + " " + file + ": " + ex.getMessage());
        }
    }

    private void expiry(final String what, final X509Certificate certificate)
    {
        final Instant notAfter = certificate.getNotAfter().toInstant();
        final Instant now = Instant.now();
        if (notAfter.isBefore(now))
        {
            warn(what + ": certificate expired at " + notAfter);
        }
        else if (notAfter.isBefore(now.plus(Duration.ofDays(warnDays))))
        {
            warn(what + ": certificate expires at " + notAfter + " (within " + warnDays + " days)");
        }
        else
        {
            ok(what + ": certificate valid until " + notAfter);
        }
    }

    private void ownerOnly(final String what, final Path file)
    {
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(permissions))
            {
                warn(what + ": mode is wider than 0600 (" + PosixFilePermissions.toString(permissions) + ")");
            }
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            warn(what + ": permissions cannot be read (" + ex.getMessage() + ")");
        }
    }

    /** Says where metrics go, and how many batches an earlier run left waiting on disk for the receiver. */
    private void checkRemoteWrite(final TelemetryConfig.RemoteWrite remoteWrite, final Path dataDirectory)
    {
        final Path spool = dataDirectory.resolve("telemetry").resolve("remote-write");
        long waiting = 0;
        if (Files.isDirectory(spool))
        {
            try (Stream<Path> files = Files.list(spool))
            {
                waiting = files.filter(file -> file.getFileName().toString().endsWith(".rw")).count();
            }
            catch (final IOException ex)
            {
                error(ExitCode.CONFIG, "telemetry.remoteWrite: spool " + spool + ": cannot read: " + ex.getMessage());
                return;
            }
        }
        final String line = "telemetry.remoteWrite: " + remoteWrite.url() + " every " + remoteWrite.intervalMs()
            + " ms, spool " + spool + " (quota " + remoteWrite.diskQuotaBytes() + " bytes)";
        if (waiting > 0)
        {
            warn(line + ": " + waiting + " batches not yet accepted by the receiver");
        }
        else
        {
            ok(line);
        }
    }

    private void ok(final String message)
    {
        out.println("ok     " + message);
    }

    private void warn(final String message)
    {
        warnings++;
        out.println("warn   " + message);
    }

    private void error(final int code, final String message)
    {
        errors++;
        if (firstErrorCode == ExitCode.OK)
        {
            firstErrorCode = code;
        }
        out.println("error  " + message);
    }
}
