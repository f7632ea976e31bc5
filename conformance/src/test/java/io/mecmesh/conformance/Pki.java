package io.mecmesh.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trust domain's certificate authority made as an operator makes it, with {@code mecmesh cert init} and
 * {@code mecmesh cert issue} (passphrase in a file); and, for the refusals, certificates the mecmesh CA would never
 * issue, signed with the same CA key by {@code openssl ca} (the key read from {@code ca.p12} with the passphrase).
 */
final class Pki
{
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    /**
     * A certificate and its key, as files.
     *
     * @param chain  the certificate chain (PEM), leaf first.
     * @param key    its PKCS#8 private key (PEM).
     * @param bundle the trust bundle of the issuing CA (PEM).
     */
    record Identity(Path chain, Path key, Path bundle)
    {
        /**
         * @return the chain followed by the key in one PEM file, as HAProxy's {@code crt} wants it.
         */
        Path certificateAndKey() throws IOException
        {
            final Path combined = chain.resolveSibling("svid-and-key.pem");
            Files.writeString(combined, Files.readString(chain) + Files.readString(key));
            return combined;
        }
    }

    private final Path dir;
    private final String trustDomain;
    private final Path passphrase;

    private Pki(final Path dir, final String trustDomain, final Path passphrase)
    {
        this.dir = dir;
        this.trustDomain = trustDomain;
        this.passphrase = passphrase;
    }

    /**
     * Creates a root CA with {@code mecmesh cert init --trust-domain TD --dir DIR/ca --passphrase-file FILE}.
     *
     * @param dir         where the CA and everything it issues go.
     * @param trustDomain the trust domain.
     * @return the CA.
     */
    static Pki init(final Path dir, final String trustDomain) throws IOException, InterruptedException
    {
        Files.createDirectories(dir);
        final Path passphrase = Files.writeString(dir.resolve("passphrase"), "conformance-" + trustDomain + "\n");
        final Pki pki = new Pki(dir, trustDomain, passphrase);
        pki.mecmesh("cert", "init", "--trust-domain", trustDomain, "--dir", pki.caDir().toString(),
            "--passphrase-file", passphrase.toString());
        return pki;
    }

    String trustDomain()
    {
        return trustDomain;
    }

    Path bundle()
    {
        return caDir().resolve("bundle.pem");
    }

    /**
     * @param path the SPIFFE id's path, without the leading slash: {@code node/a}.
     * @return the id in this trust domain.
     */
    String spiffeId(final String path)
    {
        return "spiffe://" + trustDomain + "/" + path;
    }

    /**
     * Issues a valid X.509-SVID with {@code mecmesh cert issue}.
     *
     * @param path the SPIFFE id's path, without the leading slash.
     * @return the identity's files.
     */
    Identity issue(final String path) throws IOException, InterruptedException
    {
        final Path out = dir.resolve(path.replace('/', '-'));
        mecmesh("cert", "issue", "--ca-dir", caDir().toString(), "--spiffe-id", spiffeId(path), "--out",
            out.toString(), "--passphrase-file", passphrase.toString());
        return new Identity(out.resolve("svid.pem"), out.resolve("svid-key.pem"), out.resolve("bundle.pem"));
    }

    /**
     * An otherwise valid X.509-SVID, signed by this CA, that expired in 2025.
     */
    Identity issueExpired(final String path) throws IOException, InterruptedException
    {
        return issueWithOpenssl(path.replace('/', '-') + "-expired", "URI:" + spiffeId(path),
            List.of("-startdate", "20250101000000Z", "-enddate", "20250102000000Z"));
    }

    /**
     * A certificate, signed by this CA and valid now, with two URI SANs (an X.509-SVID has exactly one).
     */
    Identity issueWithTwoUriSans(final String path, final String otherPath) throws IOException, InterruptedException
    {
        return issueWithOpenssl(path.replace('/', '-') + "-two-uris",
            "URI:" + spiffeId(path) + ",URI:" + spiffeId(otherPath), List.of("-days", "1"));
    }

    private Identity issueWithOpenssl(final String name, final String subjectAltName, final List<String> validity)
        throws IOException, InterruptedException
    {
        final Path out = Files.createDirectories(dir.resolve(name));
        final Path caKey = caDir().resolve("ca-key-extracted.pem");
        if (!Files.exists(caKey))
        {
            openssl(dir, "pkcs12", "-in", caDir().resolve("ca.p12").toString(), "-nodes", "-nocerts",
                "-passin", "file:" + passphrase, "-out", caKey.toString());
        }
        final Path database = Files.createDirectories(out.resolve("ca-db"));
        Files.writeString(database.resolve("index.txt"), "");
        Files.writeString(database.resolve("serial"), "1000\n");
        final Path config = Files.writeString(out.resolve("openssl-ca.cnf"), """
            [ca]
            default_ca = conformance
            [conformance]
            database = ca-db/index.txt
            serial = ca-db/serial
            new_certs_dir = ca-db
            default_md = sha256
            policy = any
            unique_subject = no
            copy_extensions = none
            [any]
            O = optional
            OU = optional
            [svid]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature
            extendedKeyUsage = serverAuth,clientAuth
            subjectAltName = %s
            """.formatted(subjectAltName));
        openssl(out, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "svid-key.pem", "-subj", "/O=mecmesh/OU=" + trustDomain, "-out", "svid.csr");
        final List<String> sign = new ArrayList<>(List.of("ca", "-batch", "-config", config.toString(),
            "-cert", bundle().toString(), "-keyfile", caKey.toString(), "-in", "svid.csr", "-out", "svid.pem",
            "-notext", "-extensions", "svid"));
        sign.addAll(validity);
        openssl(out, sign.toArray(String[]::new));
        return new Identity(out.resolve("svid.pem"), out.resolve("svid-key.pem"), bundle());
    }

    /**
     * @return the CA directory ({@code ca.p12}, {@code bundle.pem}).
     */
    Path caDir()
    {
        return dir.resolve("ca");
    }

    /**
     * @return the file holding the CA key store's passphrase.
     */
    Path passphraseFile()
    {
        return passphrase;
    }

    private void mecmesh(final String... args) throws IOException, InterruptedException
    {
        final Launcher.Result result = Launcher.run(dir, args);
        assertThat(result.exitCode()).as("mecmesh %s: %s", String.join(" ", args), result.err()).isZero();
    }

    private static void openssl(final Path workingDirectory, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        final Processes.Result result = Processes.exec(workingDirectory, COMMAND_TIMEOUT, "", command);
        assertThat(result.exitCode()).as("%s: %s", String.join(" ", command), result.output()).isZero();
    }
}
