package io.mecmesh.dataplane.identity;

import io.mecmesh.dataplane.identity.X509SvidValidator.Reason;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Validates a TLS server's certificate chain (leaf first, then the intermediates it sent) for a host name, as a client
 * outside the mesh must: a web-PKI or private-CA server, not a SPIFFE workload. The X.509-SVID rules (one URI SAN, a
 * SPIFFE ID, critical key usage, both serverAuth and clientAuth) do not apply; what does, in this order, the first
 * rule broken being the result:
 * <ol>
 *     <li>the leaf is not a CA ({@code cA} absent or false); its key usage, if present, has {@code digitalSignature}
 *     (TLS 1.3 signs with it) and neither {@code keyCertSign} nor {@code cRLSign};</li>
 *     <li>every signing certificate sent is a CA with {@code keyCertSign}; its extended key usage, if present, allows
 *     {@code serverAuth} (or any purpose);</li>
 *     <li>the leaf has an extended key usage with {@code serverAuth} (RFC 5280 4.2.1.12; required of a TLS server
 *     certificate by the CA/Browser Forum baseline requirements; a certificate without it is not accepted);</li>
 *     <li>RFC 5280 path validation to a certificate of the bundle at the instant ({@link CertificatePaths}, the same
 *     as for SVIDs);</li>
 *     <li>RFC 6125 6.4 host-name matching: the host name must match a DNS SAN (the subject CN is never used), case
 *     insensitively and without a trailing dot; a wildcard is accepted only as the whole leftmost label of a SAN
 *     with at least two labels after it, and matches exactly one label; an IP address matches only an IP SAN.</li>
 * </ol>
 * Reasons are {@link X509SvidValidator.Reason}s, so rejections are counted in the same series. A broken rule is a
 * return value, never an exception. Immutable and thread safe; meant for the handshake, not per request.
 */
public final class TlsServerChainValidator
{
    private static final String SERVER_AUTH = X509SvidValidator.SERVER_AUTH;
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
    private static final int SAN_IP = 7;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * The outcome of one validation.
     *
     * @param reason  {@link Reason#VALID} or the first rule broken.
     * @param message one line for logs and the CLI: what was checked or what is wrong, naming the certificate.
     */
    public record Result(Reason reason, String message)
    {
        public Result
        {
            requireNonNull(reason, "reason");
            requireNonNull(message, "message");
        }

        /**
         * @return true when the reason is {@link Reason#VALID}.
         */
        public boolean isValid()
        {
            return reason == Reason.VALID;
        }
    }

    private final CertificatePaths paths;

    /**
     * A validator for one trust bundle.
     *
     * @param trustBundle the CA certificates trusted as anchors; not empty.
     */
    public TlsServerChainValidator(final Collection<X509Certificate> trustBundle)
    {
        requireNonNull(trustBundle, "trustBundle");
        if (trustBundle.isEmpty())
        {
            throw new IllegalArgumentException("trustBundle: must hold at least one certificate");
        }
        this.paths = new CertificatePaths(List.copyOf(trustBundle));
    }

    /**
     * Validates a server's chain for a host name.
     *
     * @param chain    the leaf first, then the intermediates the server sent.
     * @param at       the instant at which certificates must be valid.
     * @param hostName the name the client connects to (a DNS name or an IP address literal).
     * @return the result.
     */
    public Result validate(final List<X509Certificate> chain, final Instant at, final String hostName)
    {
        requireNonNull(chain, "chain");
        requireNonNull(at, "at");
        requireNonNull(hostName, "hostName");
        if (hostName.isBlank())
        {
            throw new IllegalArgumentException("hostName: must not be empty");
        }
        if (chain.isEmpty())
        {
            return invalid(Reason.EMPTY_CHAIN, "the certificate chain is empty");
        }
        final X509Certificate leaf = chain.get(0);
        final String name = "leaf (" + leaf.getSubjectX500Principal() + ")";
        Result problem = checkLeaf(leaf, name);
        for (int i = 1; problem == null && i < chain.size(); i++)
        {
            problem = checkSigningCertificate(chain.get(i), i);
        }
        if (problem == null)
        {
            problem = checkServerAuth(leaf, name);
        }
        if (problem != null)
        {
            return problem;
        }
        final CertificatePaths.Problem pathProblem = paths.validate(chain, at, new ArrayList<>());
        if (pathProblem != null)
        {
            return invalid(pathProblem.reason(), pathProblem.message());
        }
        final List<String> names;
        final String host = normalize(hostName);
        final boolean ip = isIpLiteral(host);
        try
        {
            names = X509SvidValidator.subjectAltNames(leaf, ip ? SAN_IP : X509SvidValidator.SAN_DNS);
        }
        catch (final CertificateParsingException ex)
        {
            return invalid(Reason.MALFORMED_CERTIFICATE, name + ": subject alternative names cannot be parsed: "
                + ex.getMessage());
        }
        if (!(ip ? names.stream().anyMatch(san -> sameAddress(san, host)) : matchesAny(names, host)))
        {
            return invalid(Reason.DNS_NAME_MISMATCH, name + ": " + (ip ? "IP" : "DNS") + " SANs " + names
                + " do not match " + host);
        }
        return new Result(Reason.VALID, "valid TLS server chain for " + host + " (" + leaf.getSubjectX500Principal()
            + ")");
    }

    /**
     * RFC 6125 6.4 matching of a host name against DNS SANs: exact (case-insensitive, no trailing dot), or a
     * wildcard that is the whole leftmost label, with at least two labels after it, standing for exactly one label.
     *
     * @param dnsNames the DNS SANs.
     * @param hostName the host name.
     * @return whether one matches.
     */
    public static boolean matchesAny(final List<String> dnsNames, final String hostName)
    {
        final String host = normalize(hostName);
        if (host.isEmpty() || isIpLiteral(host))
        {
            return false;
        }
        for (final String san : dnsNames)
        {
            final String pattern = normalize(san);
            if (pattern.equals(host))
            {
                return true;
            }
            if (pattern.startsWith("*.") && pattern.indexOf('*', 1) < 0 && pattern.substring(2).indexOf('.') > 0)
            {
                final int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot + 1).equals(pattern.substring(2)))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static Result checkLeaf(final X509Certificate leaf, final String name)
    {
        if (leaf.getBasicConstraints() != -1)
        {
            return invalid(Reason.LEAF_CA_TRUE, name + ": basic constraints cA=true, a server certificate is not a CA");
        }
        final boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null)
        {
            if (!X509SvidValidator.bit(keyUsage, X509SvidValidator.KU_DIGITAL_SIGNATURE))
            {
                return invalid(Reason.LEAF_NO_DIGITAL_SIGNATURE, name + ": key usage lacks digitalSignature");
            }
            if (X509SvidValidator.bit(keyUsage, X509SvidValidator.KU_KEY_CERT_SIGN))
            {
                return invalid(Reason.LEAF_KEY_CERT_SIGN, name + ": key usage has keyCertSign");
            }
            if (X509SvidValidator.bit(keyUsage, X509SvidValidator.KU_CRL_SIGN))
            {
                return invalid(Reason.LEAF_CRL_SIGN, name + ": key usage has cRLSign");
            }
        }
        return null;
    }

    private static Result checkServerAuth(final X509Certificate leaf, final String name)
    {
        try
        {
            final List<String> extendedKeyUsage = leaf.getExtendedKeyUsage();
            if (extendedKeyUsage == null || !extendedKeyUsage.contains(SERVER_AUTH))
            {
                return invalid(Reason.LEAF_EXTENDED_KEY_USAGE, name + ": extended key usage "
                    + (extendedKeyUsage == null ? "missing" : extendedKeyUsage.toString())
                    + ", a TLS server certificate needs serverAuth");
            }
            return null;
        }
        catch (final CertificateParsingException ex)
        {
            return invalid(Reason.MALFORMED_CERTIFICATE, name + ": extended key usage cannot be parsed: "
                + ex.getMessage());
        }
    }

    private static Result checkSigningCertificate(final X509Certificate certificate, final int index)
    {
        final String name = "signing certificate " + index + " (" + certificate.getSubjectX500Principal() + ")";
        if (certificate.getBasicConstraints() == -1)
        {
            return invalid(Reason.SIGNING_CERT_NOT_CA, name + ": basic constraints cA is not true");
        }
        final boolean[] keyUsage = certificate.getKeyUsage();
        if (keyUsage == null || !X509SvidValidator.bit(keyUsage, X509SvidValidator.KU_KEY_CERT_SIGN))
        {
            return invalid(Reason.SIGNING_CERT_NO_KEY_CERT_SIGN, name + ": key usage lacks keyCertSign");
        }
        try
        {
            final List<String> extendedKeyUsage = certificate.getExtendedKeyUsage();
            if (extendedKeyUsage != null && !extendedKeyUsage.contains(SERVER_AUTH)
                && !extendedKeyUsage.contains(ANY_EXTENDED_KEY_USAGE))
            {
                return invalid(Reason.LEAF_EXTENDED_KEY_USAGE, name + ": extended key usage " + extendedKeyUsage
                    + " does not allow serverAuth");
            }
        }
        catch (final CertificateParsingException ex)
        {
            return invalid(Reason.MALFORMED_CERTIFICATE, name + ": extended key usage cannot be parsed: "
                + ex.getMessage());
        }
        return null;
    }

    private static String normalize(final String name)
    {
        final String lower = name.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static boolean isIpLiteral(final String host)
    {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    private static boolean sameAddress(final String san, final String host)
    {
        try
        {
            return InetAddress.getByName(san).equals(InetAddress.getByName(
                host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host));
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    private static Result invalid(final Reason reason, final String message)
    {
        return new Result(reason, message);
    }
}
