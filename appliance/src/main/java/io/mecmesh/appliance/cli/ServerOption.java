package io.mecmesh.appliance.cli;

import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.JdkSslContexts;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.slicemanager.ca.ControlPlaneIdentity;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --server URL} and the client certificate: where the control plane's API listens and who the CLI is to it.
 * Mixed into every control-plane client command.
 * <p>
 * Over {@code https} (the default) the CLI presents a client certificate (an operator certificate from
 * {@code mecmesh cert issue --operator NAME --role ROLE}) and checks that the server is the control plane
 * ({@code spiffe://<trust-domain>/control-plane}) of the CA in the CA bundle. Each file comes from its option, else
 * its environment variable, else the configuration directory ({@code $XDG_CONFIG_HOME/mecmesh}, by default
 * {@code ~/.config/mecmesh}): {@code client.pem}, {@code client-key.pem}, {@code ca.pem}.
 */
final class ServerOption
{
    /** The environment variable that sets the default. */
    static final String VARIABLE = "MECMESH_SERVER";
    /** The default without the variable: the API of {@code mecmesh run} on this host. */
    static final String DEFAULT = "https://127.0.0.1:9902";
    /** The client certificate's variable. */
    static final String CERT_VARIABLE = "MECMESH_CLIENT_CERT";
    /** The client key's variable. */
    static final String KEY_VARIABLE = "MECMESH_CLIENT_KEY";
    /** The CA bundle's variable. */
    static final String CA_VARIABLE = "MECMESH_CA_BUNDLE";
    /** The client certificate's file name in the configuration directory. */
    static final String CERT_FILE = "client.pem";
    /** The client key's file name in the configuration directory. */
    static final String KEY_FILE = "client-key.pem";
    /** The CA bundle's file name in the configuration directory. */
    static final String CA_FILE = "ca.pem";

    private static final int SAN_URI = 6;

    @Option(names = "--server", paramLabel = "URL[,URL...]",
        defaultValue = "${env:" + VARIABLE + ":-" + DEFAULT + "}",
        description = "The control plane's API; several members comma-separated: a request that finds a member"
            + " down, without quorum or not acknowledging goes to the next one with the same Idempotency-Key"
            + " (default: $" + VARIABLE + ", else " + DEFAULT + ").")
    String server;

    @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate, PEM (default: $"
        + CERT_VARIABLE + ", else ~/.config/mecmesh/" + CERT_FILE + ").")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Its private key, PEM (default: $" + KEY_VARIABLE
        + ", else ~/.config/mecmesh/" + KEY_FILE + ").")
    Path key;

    @Option(names = "--cacert", paramLabel = "FILE", description = "The CA bundle the API's certificate is checked"
        + " with (default: $" + CA_VARIABLE + ", else ~/.config/mecmesh/" + CA_FILE + ").")
    Path cacert;

    /** The environment, replaceable by tests. */
    Map<String, String> environment = System.getenv();

    /**
     * @return a client of the API at {@code --server}.
     * @throws CommandFailedException if the URL is not an http(s) URL, or a TLS file is missing or unreadable.
     */
    ControlPlaneClient client()
    {
        final List<URI> servers = new ArrayList<>();
        for (final String one : server.split(",", -1))
        {
            final String text = one.trim();
            final URI uri;
            try
            {
                uri = new URI(text.endsWith("/") ? text : text + "/");
            }
            catch (final URISyntaxException ex)
            {
                throw badServer(text);
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null)
            {
                throw badServer(text);
            }
            if (!servers.isEmpty() && !uri.getScheme().equals(servers.get(0).getScheme()))
            {
                throw new CommandFailedException(ExitCode.USAGE, "--server: all members must use the same scheme, got "
                    + servers.get(0).getScheme() + " and " + uri.getScheme());
            }
            servers.add(uri);
        }
        return new ControlPlaneClient(servers, "https".equals(servers.get(0).getScheme()) ? Optional.of(tls())
            : Optional.empty());
    }

    private static CommandFailedException badServer(final String text)
    {
        return new CommandFailedException(ExitCode.USAGE, "--server: expected a URL such as " + DEFAULT
            + " (or several, comma-separated: the control plane's members), got \"" + text + "\"");
    }

    private SSLContext tls()
    {
        final Optional<Path> bundleFile = file(cacert, CA_VARIABLE, CA_FILE);
        if (bundleFile.isEmpty())
        {
            throw new CommandFailedException(ExitCode.CONFIG, "--cacert: the CA bundle to check the control plane"
                + " with is missing: give --cacert, $" + CA_VARIABLE + " or " + configDirectory().resolve(CA_FILE));
        }
        final Optional<Path> certFile = file(cert, CERT_VARIABLE, CERT_FILE);
        final Optional<Path> keyFile = file(key, KEY_VARIABLE, KEY_FILE);
        if (certFile.isPresent() != keyFile.isPresent())
        {
            throw new CommandFailedException(ExitCode.USAGE, (certFile.isPresent() ? "--key" : "--cert")
                + ": a client certificate needs its key and the key its certificate");
        }
        try
        {
            final List<X509Certificate> bundle = Pem.readCertificates(bundleFile.get());
            final Optional<TlsMaterialSource> keys;
            if (certFile.isPresent())
            {
                final List<X509Certificate> chain = Pem.readCertificates(certFile.get());
                final PrivateKey privateKey = Pem.readPrivateKey(keyFile.get());
                keys = Optional.of(new TlsMaterialSource(new TlsMaterial(chain, privateKey, bundle)));
            }
            else
            {
                keys = Optional.empty();
            }
            return JdkSslContexts.of(keys, () -> new X509SvidValidator(bundle), expectation(bundle),
                new PeerRejections(), Clock.systemUTC());
        }
        catch (final DataPlaneException | IllegalArgumentException ex)
        {
            throw new CommandFailedException(ExitCode.NO_INPUT, "client TLS: " + ex.getMessage());
        }
    }

    /** The control plane's id in the bundle's trust domain (a mecmesh root's URI SAN is {@code spiffe://TD}). */
    private static X509SvidValidator.Expectation expectation(final List<X509Certificate> bundle)
    {
        for (final X509Certificate root : bundle)
        {
            try
            {
                final Collection<List<?>> names = root.getSubjectAlternativeNames();
                for (final List<?> name : names == null ? List.<List<?>>of() : names)
                {
                    if (name.size() == 2 && Integer.valueOf(SAN_URI).equals(name.get(0))
                        && String.valueOf(name.get(1)).startsWith(SpiffeId.PREFIX))
                    {
                        final SpiffeId domain = SpiffeId.parse(String.valueOf(name.get(1)));
                        return X509SvidValidator.Expectation.spiffeId(ControlPlaneIdentity.spiffeId(
                            domain.trustDomain()));
                    }
                }
            }
            catch (final CertificateParsingException | IllegalArgumentException ignored)
            {
                // not a mecmesh root: try the next one
            }
        }
        return X509SvidValidator.Expectation.anyId();
    }

    private Optional<Path> file(final Path option, final String variable, final String name)
    {
        if (option != null)
        {
            return Optional.of(option);
        }
        final String fromEnvironment = environment.get(variable);
        if (fromEnvironment != null && !fromEnvironment.isBlank())
        {
            return Optional.of(Path.of(fromEnvironment));
        }
        final Path fallback = configDirectory().resolve(name);
        return Files.isReadable(fallback) ? Optional.of(fallback) : Optional.empty();
    }

    /**
     * @return {@code $XDG_CONFIG_HOME/mecmesh}, else {@code $HOME/.config/mecmesh}.
     */
    Path configDirectory()
    {
        final String xdg = environment.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank())
        {
            return Path.of(xdg, "mecmesh");
        }
        final String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".config", "mecmesh");
    }
}
