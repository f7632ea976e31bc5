package io.mecmesh.dataplane.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Web-PKI style certificates (no SPIFFE ID) made by the real {@code openssl} command: a root CA, intermediates and
 * TLS server leaves with the extensions a test asks for, as a public or private CA issues them.
 */
public final class WebPkiFixtures
{
    /** A leaf as a web-PKI CA issues it for TLS servers. */
    public static final String SERVER_LEAF = """
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = serverAuth
        """;
    /** A CA certificate: cA=true, keyCertSign. */
    public static final String CA = """
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        """;

    private final Path dir;

    /**
     * @param dir where keys and certificates go.
     */
    public WebPkiFixtures(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * A self-signed root CA, valid from now for the given days.
     *
     * @param name the file and CN.
     * @return its certificate file.
     */
    public Path root(final String name) throws IOException, InterruptedException
    {
        final Path extensions = Files.writeString(dir.resolve(name + ".ext"), CA);
        openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/O=fixtures/CN=" + name, "-days", "30",
            "-extensions", "v3_ca", "-config", config(extensions).toString());
        return dir.resolve(name + ".pem");
    }

    /**
     * A certificate signed by an issuer made here before.
     *
     * @param name       the file and CN.
     * @param issuer     the issuer's name (its {@code .pem} and {@code .key} are here).
     * @param extensions the extension lines (openssl x509v3_config), e.g. {@link #SERVER_LEAF} plus a
     *                   {@code subjectAltName} line.
     * @param days       its validity from now, in days.
     * @return its certificate file.
     */
    public Path issue(final String name, final String issuer, final String extensions, final int days)
        throws IOException, InterruptedException
    {
        final Path file = Files.writeString(dir.resolve(name + ".ext"), extensions);
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            name + ".key", "-out", name + ".csr", "-subj", "/O=fixtures/CN=" + name);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", issuer + ".pem", "-CAkey", issuer + ".key",
            "-CAcreateserial", "-out", name + ".pem", "-days", String.valueOf(days), "-extfile", file.toString());
        return dir.resolve(name + ".pem");
    }

    /**
     * @param names certificate files made here, leaf first.
     * @return their certificates, in that order.
     */
    public static List<X509Certificate> chain(final Path... names)
    {
        final List<X509Certificate> chain = new ArrayList<>();
        for (final Path name : names)
        {
            chain.addAll(Pem.readCertificates(name));
        }
        return chain;
    }

    /**
     * Concatenates certificate files into one PEM file (a chain or a bundle).
     *
     * @param name  the file to write here.
     * @param files the files, in order.
     * @return the file.
     */
    public Path concatenate(final String name, final Path... files) throws IOException
    {
        final StringBuilder pem = new StringBuilder();
        for (final Path file : files)
        {
            pem.append(Files.readString(file));
        }
        return Files.writeString(dir.resolve(name), pem.toString());
    }

    private Path config(final Path extensions) throws IOException
    {
        return Files.writeString(dir.resolve(extensions.getFileName() + ".cnf"),
            "[req]\ndistinguished_name = dn\n[dn]\n[v3_ca]\n" + Files.readString(extensions));
    }

    private void openssl(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        final Process process;
        try
        {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("openssl is needed for these tests: apt-get install openssl (.ci/run does)", ex);
        }
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new AssertionError(String.join(" ", command) + " failed: "
                + new String(output, StandardCharsets.UTF_8));
        }
    }
}
