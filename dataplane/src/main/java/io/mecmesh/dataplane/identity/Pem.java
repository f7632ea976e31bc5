package io.mecmesh.dataplane.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Reads and writes certificates and PKCS#8 private keys in PEM (RFC 7468). Certificates are also accepted as one
 * DER-encoded certificate. Blocks of other types in the same text are skipped, so a file holding a certificate and its
 * key can be read for either. Every failure is an {@link IdentityException} naming the source and the block.
 */
public final class Pem
{
    private static final Pattern BLOCK = Pattern.compile(
        "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PRIVATE_KEY = "PRIVATE KEY";
    private static final String[] KEY_ALGORITHMS = { "EC", "RSA", "Ed25519" };
    private static final int LINE_LENGTH = 64;

    private Pem()
    {
    }

    /**
     * Reads every certificate in a PEM or DER file, in file order (for a chain: leaf first).
     *
     * @param file the file.
     * @return at least one certificate.
     * @throws IdentityException if the file cannot be read, holds no certificate, or holds a corrupt one.
     */
    public static List<X509Certificate> readCertificates(final Path file)
    {
        return readCertificates(readAll(file), file.toString());
    }

    /**
     * Reads every certificate in PEM text or DER bytes.
     *
     * @param bytes  the content.
     * @param source names the content in error messages (a file name, "--chain").
     * @return at least one certificate, in order.
     * @throws IdentityException if there is no certificate or one is corrupt.
     */
    public static List<X509Certificate> readCertificates(final byte[] bytes, final String source)
    {
        requireNonNull(bytes, "bytes");
        requireNonNull(source, "source");
        final String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN "))
        {
            return List.of(parseCertificate(bytes, source + ": not PEM, and not a DER certificate"));
        }
        final List<X509Certificate> certificates = new ArrayList<>();
        for (final byte[] der : blocks(text, CERTIFICATE, source))
        {
            certificates.add(parseCertificate(
                der, source + ": CERTIFICATE block " + (certificates.size() + 1) + " is not a valid X.509 certificate"));
        }
        if (certificates.isEmpty())
        {
            throw new IdentityException(source + ": no CERTIFICATE block found");
        }
        return List.copyOf(certificates);
    }

    /**
     * Reads the one PKCS#8 private key ({@code BEGIN PRIVATE KEY}) in a PEM file.
     *
     * @param file the file.
     * @return the key (EC, RSA or Ed25519).
     * @throws IdentityException if there is not exactly one key block or it is not a valid unencrypted PKCS#8 key.
     */
    public static PrivateKey readPrivateKey(final Path file)
    {
        return readPrivateKey(readAll(file), file.toString());
    }

    /**
     * Reads the one PKCS#8 private key in PEM text.
     *
     * @param bytes  the PEM text.
     * @param source names the content in error messages.
     * @return the key.
     * @throws IdentityException if there is not exactly one key block or it is not a valid unencrypted PKCS#8 key.
     */
    public static PrivateKey readPrivateKey(final byte[] bytes, final String source)
    {
        requireNonNull(bytes, "bytes");
        requireNonNull(source, "source");
        final String text = new String(bytes, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN EC PRIVATE KEY-----") || text.contains("-----BEGIN RSA PRIVATE KEY-----") ||
            text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        {
            throw new IdentityException(source + ": only unencrypted PKCS#8 keys (BEGIN PRIVATE KEY) are read;" +
                " convert with: openssl pkcs8 -topk8 -nocrypt");
        }
        final List<byte[]> keys = blocks(text, PRIVATE_KEY, source);
        if (keys.size() != 1)
        {
            throw new IdentityException(
                source + ": expected exactly one PRIVATE KEY block, found " + keys.size());
        }
        final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (final String algorithm : KEY_ALGORITHMS)
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            }
            catch (final GeneralSecurityException | IllegalArgumentException ignore)
            {
                // not this algorithm: try the next one
            }
        }
        throw new IdentityException(source + ": PRIVATE KEY block is not a valid PKCS#8 EC, RSA or Ed25519 key");
    }

    /**
     * Encodes certificates as concatenated PEM blocks.
     *
     * @param certificates in order.
     * @return the PEM text.
     */
    public static String encodeCertificates(final List<X509Certificate> certificates)
    {
        requireNonNull(certificates, "certificates");
        final StringBuilder pem = new StringBuilder();
        for (final X509Certificate certificate : certificates)
        {
            try
            {
                appendBlock(pem, CERTIFICATE, certificate.getEncoded());
            }
            catch (final CertificateEncodingException ex)
            {
                throw new IdentityException("cannot encode certificate " + certificate.getSubjectX500Principal(), ex);
            }
        }
        return pem.toString();
    }

    /**
     * Encodes a private key as an unencrypted PKCS#8 PEM block.
     *
     * @param key a key whose encoded form is PKCS#8.
     * @return the PEM text.
     */
    public static String encodePrivateKey(final PrivateKey key)
    {
        requireNonNull(key, "key");
        if (!"PKCS#8".equals(key.getFormat()))
        {
            throw new IdentityException("cannot encode a " + key.getAlgorithm() + " key in " + key.getFormat() +
                " format as PKCS#8");
        }
        final StringBuilder pem = new StringBuilder();
        appendBlock(pem, PRIVATE_KEY, key.getEncoded());
        return pem.toString();
    }

    private static void appendBlock(final StringBuilder pem, final String type, final byte[] der)
    {
        final String base64 = Base64.getEncoder().encodeToString(der);
        pem.append("-----BEGIN ").append(type).append("-----\n");
        for (int i = 0; i < base64.length(); i += LINE_LENGTH)
        {
            pem.append(base64, i, Math.min(base64.length(), i + LINE_LENGTH)).append('\n');
        }
        pem.append("-----END ").append(type).append("-----\n");
    }

    private static List<byte[]> blocks(final String text, final String type, final String source)
    {
        final List<byte[]> blocks = new ArrayList<>();
        final Matcher matcher = BLOCK.matcher(text);
        int index = 0;
        while (matcher.find())
        {
            index++;
            if (!matcher.group(1).equals(type))
            {
                continue;
            }
            try
            {
                blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IdentityException(source + ": PEM block " + index + " (" + type + ") is not valid base64", ex);
            }
        }
        return blocks;
    }

    private static X509Certificate parseCertificate(final byte[] der, final String problem)
    {
        try
        {
            final CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate)factory.generateCertificate(new ByteArrayInputStream(der));
        }
        catch (final CertificateException | RuntimeException ex)
        {
            throw new IdentityException(problem + ": " + ex.getMessage(), ex);
        }
    }

    private static byte[] readAll(final Path file)
    {
        requireNonNull(file, "file");
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new IdentityException(file + ": cannot read: " + ex, ex);
        }
    }
}
