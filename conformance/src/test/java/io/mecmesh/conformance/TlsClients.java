package io.mecmesh.conformance;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real TLS clients of the interop tests: {@code openssl s_client} and {@code curl}, each sending one
 * {@code GET} to 127.0.0.1 with or without a client certificate.
 */
final class TlsClients
{
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private TlsClients()
    {
    }

    /**
     * {@code openssl s_client -brief} that verifies the server's chain against a bundle (a failed verification
     * ends the handshake) and, once connected, sends one request.
     *
     * @param dir    the working directory.
     * @param port   the server's port on 127.0.0.1.
     * @param client the client certificate, or empty for none.
     * @param trust  the bundle the server's chain must verify to.
     * @param path   the request target.
     * @return what openssl printed and its exit code.
     */
    static Processes.Result openssl(final Path dir, final int port, final Optional<Pki.Identity> client,
        final Path trust, final String path) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
            "-brief", "-ign_eof", "-CAfile", trust.toString(), "-verify_return_error"));
        client.ifPresent(identity -> command.addAll(List.of("-cert", identity.chain().toString(), "-key",
            identity.key().toString())));
        return Processes.exec(dir, TIMEOUT,
            "GET " + path + " HTTP/1.1\r\nHost: mesh-b\r\nConnection: close\r\n\r\n", command);
    }

    /**
     * {@code curl -i} with a client certificate. An X.509-SVID names its workload by a URI SAN only, and curl has
     * no switch to keep the chain check while skipping the host name check, so curl runs with {@code -k} and pins
     * the server's public key ({@code --pinnedpubkey}, enforced even with {@code -k}): the server is still
     * authenticated, by its key; {@link #openssl} checks the chain to the bundle. HTTP/1.1 is asked for
     * ({@code --http1.1}, ALPN http/1.1 only): these tests are about client certificates, and HTTP/2 on listeners
     * is being built (issue 3).
     *
     * @param dir       the working directory.
     * @param port      the server's port on 127.0.0.1.
     * @param client    the client certificate, or empty for none.
     * @param serverKey the server's public key (PEM) to pin.
     * @param path      the request target.
     * @return what curl printed (response head and body, or its error) and its exit code.
     */
    static Processes.Result curl(final Path dir, final int port, final Optional<Pki.Identity> client,
        final Path serverKey, final String path) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--http1.1", "--max-time", "15",
            "--noproxy", "*", "-k", "--pinnedpubkey", serverKey.toString()));
        client.ifPresent(identity -> command.addAll(List.of("--cert", identity.chain().toString(), "--key",
            identity.key().toString())));
        command.add("https://127.0.0.1:" + port + path);
        return Processes.exec(dir, TIMEOUT, "", command);
    }

    /**
     * @return the public key of a certificate, as a PEM file next to it (for {@code curl --pinnedpubkey}).
     */
    static Path publicKeyOf(final Path certificate) throws IOException, InterruptedException
    {
        final Path publicKey = certificate.resolveSibling("public-key.pem");
        final Processes.Result result = Processes.exec(certificate.getParent(), TIMEOUT, "openssl", "x509", "-in",
            certificate.toString(), "-noout", "-pubkey", "-out", publicKey.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        return publicKey;
    }
}
