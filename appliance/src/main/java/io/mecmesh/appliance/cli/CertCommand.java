package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SigningScope;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.TlsServerChainValidator;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.slicemanager.ca.ApiRole;
import io.mecmesh.slicemanager.ca.CaDirectory;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.mecmesh.slicemanager.ca.IssuedLog;
import io.mecmesh.slicemanager.ca.SigningAuthority;
import io.mecmesh.slicemanager.ca.SiteAuthority;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh cert}: the certificate authority and workload certificates, by hand. The data plane validates
 * peers with the same code as {@code cert verify}.
 */
@Command(name = "cert", mixinStandardHelpOptions = true,
    description = "CA: issue, verify, inspect, list SVIDs; rotate root and site CAs.",
    subcommands = {CertCommand.Init.class, CertCommand.Issue.class, CertCommand.Verify.class,
        CertCommand.Inspect.class, CertCommand.Bundle.class, CertCommand.Rotate.class,
        CertCommand.Intermediate.class, CertCommand.Issued.class, SigningKeyCommand.class})
final class CertCommand
{
    static final String CA_FILE = CaKeyStore.ROOT_FILE;
    static final String PREVIOUS_CA_FILE = CaDirectory.PREVIOUS_ROOT_FILE;
    static final String BUNDLE_FILE = CaKeyStore.BUNDLE_FILE;
    static final String SVID_FILE = "svid.pem";
    static final String KEY_FILE = "svid-key.pem";
    static final String PASSPHRASE_VARIABLE = CaKeyStore.PASSPHRASE_VARIABLE;

    /** Where the CA key store's passphrase comes from. */
    static final class Passphrase
    {
        @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "File holding the CA key store's passphrase (default: the environment variable "
                + PASSPHRASE_VARIABLE + ").")
        Path file;

        char[] read()
        {
            return CaKeyStore.passphrase(Optional.ofNullable(file));
        }
    }

    /** Where the site CA key store's own passphrase comes from. */
    static final class SitePassphrase
    {
        @Option(names = "--site-passphrase-file", paramLabel = "FILE",
            description = "File holding the site CA key store's own passphrase, not the root's (default: the "
                + "environment variable " + SiteAuthority.PASSPHRASE_VARIABLE + ").")
        Path file;

        char[] read()
        {
            return CaKeyStore.passphrase(Optional.ofNullable(file), SiteAuthority.PASSPHRASE_VARIABLE);
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a root CA for a trust domain: DIR/ca.p12 (encrypted, 0600), DIR/bundle.pem and "
            + "DIR/issued.log (every certificate issued from DIR, 0600; see cert issued).")
    static final class Init implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--trust-domain", required = true, paramLabel = "NAME",
            description = "The trust domain, e.g. mesh.example.org.")
        String trustDomain;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write the CA.")
        Path dir;

        @Option(names = "--ttl-days", defaultValue = "3650", paramLabel = "DAYS",
            description = "Lifetime of the root (default: ${DEFAULT-VALUE}).")
        long ttlDays;

        @Option(names = "--force", description = "Overwrite an existing CA in DIR.")
        boolean force;

        @Mixin
        Passphrase passphrase;

        @Override
        public Integer call() throws IOException
        {
            final Path keyStore = dir.resolve(CA_FILE);
            if (Files.exists(keyStore) && !force)
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG,
                    keyStore + " exists: a CA is already there (use --force to replace it)");
            }
            final char[] secret = passphrase.read();
            final SigningAuthority root = CaDirectory.init(dir, trustDomain, Duration.ofDays(ttlDays), secret,
                InstantSource.system());
            spec.commandLine().getOut().println("root CA for " + root.scope() + " written to " + keyStore + " and "
                + dir.resolve(BUNDLE_FILE) + "; issued certificates are recorded in " + dir.resolve(IssuedLog.FILE));
            return ExitCode.OK;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
        description = {"Generate a key here and issue an X.509-SVID for it: OUT/svid.pem, svid-key.pem, bundle.pem "
            + "(recorded in the CA's issued.log).",
            "With --operator NAME --role ROLE: a certificate for the control-plane API, spiffe://TD/operator/NAME "
                + "with its role (viewer, operator or admin) in a certificate extension, written as OUT/client.pem, "
                + "client-key.pem and ca.pem: the files the CLI reads from ~/.config/mecmesh/ (or --cert, --key, "
                + "--cacert)."})
    static final class Issue implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "The CA made by cert init.")
        Path caDir;

        @Option(names = "--spiffe-id", paramLabel = "ID",
            description = "The workload's SPIFFE id, e.g. spiffe://mesh.example.org/slice/1-000001/app/amf.")
        String spiffeId;

        @Option(names = "--operator", paramLabel = "NAME",
            description = "Issue an operator certificate for the control-plane API instead: spiffe://TD/operator/NAME.")
        String operator;

        @Option(names = "--role", paramLabel = "ROLE",
            description = "With --operator: viewer (get, status, journal), operator (+ apply, create, delete) or "
                + "admin (+ journal compact, node tokens).")
        String role;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the SVID.")
        Path out;

        @Option(names = "--ttl-hours", defaultValue = "24", paramLabel = "HOURS",
            description = "Lifetime of the SVID (default: ${DEFAULT-VALUE}).")
        long ttlHours;

        @Mixin
        Passphrase passphrase;

        @Override
        public Integer call() throws IOException
        {
            if ((spiffeId == null) == (operator == null))
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "give one of --spiffe-id ID or --operator NAME");
            }
            if (operator != null && role == null || operator == null && role != null)
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--role goes with --operator (viewer, operator or admin)");
            }
            final ApiRole apiRole;
            try
            {
                apiRole = role == null ? null : ApiRole.ofOperator(role);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + ex.getMessage());
            }
            final SpiffeId id = spiffeId == null ? null : parseId(spiffeId, "--spiffe-id");
            final CertificateAuthority ca = CaDirectory.open(caDir, passphrase.read(), InstantSource.system())
                .authority();
            final KeyPair keyPair = CertificateRequests.newKeyPair();
            final List<X509Certificate> chain = apiRole == null
                ? ca.issue(ca.root(), CertificateRequests.csr(keyPair), id, Duration.ofHours(ttlHours))
                : ca.issueOperator(CertificateRequests.csr(keyPair), operator, apiRole, Duration.ofHours(ttlHours));
            final String certFile = apiRole == null ? SVID_FILE : ServerOption.CERT_FILE;
            final String keyFile = apiRole == null ? KEY_FILE : ServerOption.KEY_FILE;
            final String bundleFile = apiRole == null ? BUNDLE_FILE : ServerOption.CA_FILE;
            Files.createDirectories(out);
            CaKeyStore.writeOwnerOnly(out.resolve(keyFile),
                Pem.encodePrivateKey(keyPair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
            Files.writeString(out.resolve(certFile), Pem.encodeCertificates(chain));
            // the CA directory's bundle: during a rotation it trusts the old and the new root
            Files.writeString(out.resolve(bundleFile),
                Pem.encodeCertificates(Pem.readCertificates(caDir.resolve(BUNDLE_FILE))));
            spec.commandLine().getOut().println(spiffeIdOf(chain.get(0), id)
                + (apiRole == null ? "" : " (role " + apiRole.label() + ")") + " issued until "
                + chain.get(0).getNotAfter().toInstant() + ": " + out.resolve(certFile) + ", " + out.resolve(keyFile)
                + " (0600), " + out.resolve(bundleFile));
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }

        private static String spiffeIdOf(final X509Certificate leaf, final SpiffeId requested)
        {
            if (requested != null)
            {
                return requested.toString();
            }
            try
            {
                return leaf.getSubjectAlternativeNames().stream().filter(name -> Integer.valueOf(6).equals(name.get(0)))
                    .map(name -> String.valueOf(name.get(1))).findFirst().orElse("");
            }
            catch (final CertificateParsingException ex)
            {
                return "";
            }
        }
    }

    @Command(name = "intermediate", mixinStandardHelpOptions = true,
        description = {"Create a site intermediate CA so that a site issues SVIDs for its own workloads while "
            + "disconnected: OUT/site-ca.p12 (encrypted with the site's own passphrase, not the root's, 0600), "
            + "OUT/chain.pem (the intermediate) and OUT/bundle.pem (the CA's roots). The intermediate is recorded in "
            + "the CA's issued.log; the SVIDs the site issues in OUT/issued.log.",
            "It carries the site's subtree spiffe://TRUST-DOMAIN/site/SITE in a mecmesh signing-scope extension "
                + "(OID " + SigningScope.OID + "; its SPIFFE ID is the trust domain's): every mecmesh peer (and cert "
                + "verify) accepts from it only IDs below that path, and the site issues none below .../node/ (node "
                + "identities come from the control plane). Its X.509 name constraint permits the trust domain's "
                + "URIs.",
            "Rotation, with overlap: --rotate writes a new intermediate signed by the CA's current root into OUT "
                + "(an existing site CA), keeps the old one as OUT/site-ca-previous.p12, and refreshes "
                + "OUT/bundle.pem; a running edge issues with the new one from its next SVID. SVIDs of the old one "
                + "keep validating until they expire. Then --finish deletes OUT/site-ca-previous.p12. After a root "
                + "rotation, rotate every site intermediate before cert rotate --finish."})
    static final class Intermediate implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--ca-dir", paramLabel = "DIR", description = "The CA made by cert init (not needed with "
            + "--finish).")
        Path caDir;

        @Option(names = "--site", required = true, paramLabel = "SITE",
            description = "The site's name, a path segment [A-Za-z0-9._-]{1,63}.")
        String site;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the site CA.")
        Path out;

        @Option(names = "--ttl-days", defaultValue = "365", paramLabel = "DAYS",
            description = "Lifetime of the intermediate, capped at the root's (default: ${DEFAULT-VALUE}).")
        long ttlDays;

        @Option(names = "--rotate", description = "Replace the site CA in OUT, keeping the old one until --finish.")
        boolean rotate;

        @Option(names = "--finish", description = "End an intermediate rotation: delete the old one.")
        boolean finish;

        @Mixin
        Passphrase passphrase;

        @Mixin
        SitePassphrase sitePassphrase;

        @Override
        public Integer call()
        {
            if (finish)
            {
                refusedAsConfig(() -> SiteAuthority.finishRotation(out));
                spec.commandLine().getOut().println("site CA rotation finished: "
                    + out.resolve(SiteAuthority.PREVIOUS_KEY_STORE_FILE) + " deleted");
                return ExitCode.OK;
            }
            if (ttlDays <= 0)
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG,
                    "--ttl-days: must be positive, got " + ttlDays);
            }
            if (caDir == null)
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG, "--ca-dir: required (the CA made "
                    + "by cert init)");
            }
            final Path keyStore = caDir.resolve(CA_FILE);
            if (!Files.isRegularFile(keyStore))
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG,
                    "--ca-dir: " + keyStore + " does not exist; create the CA with mecmesh cert init");
            }
            final char[] secret = passphrase.read();
            final char[] siteSecret = sitePassphrase.read();
            if (Arrays.equals(secret, siteSecret))
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG, "--site-passphrase-file: the site "
                    + "CA's passphrase must differ from the root's (an edge holding it must not unlock the root)");
            }
            final CertificateAuthority ca = CaDirectory.open(caDir, secret, InstantSource.system()).authority();
            final SpiffeId scope;
            try
            {
                scope = SiteAuthority.siteScope(ca.trustDomain(), site);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG, "--site: " + ex.getMessage());
            }
            if (rotate && !Files.isRegularFile(out.resolve(SiteAuthority.KEY_STORE_FILE)))
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG, "--out: "
                    + out.resolve(SiteAuthority.KEY_STORE_FILE) + " does not exist: no site CA to rotate");
            }
            if (!rotate && Files.exists(out.resolve(SiteAuthority.KEY_STORE_FILE)))
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG, "--out: "
                    + out.resolve(SiteAuthority.KEY_STORE_FILE) + " exists: use --rotate to replace it with overlap");
            }
            final SigningAuthority intermediate = ca.createSiteIntermediate(scope, Duration.ofDays(ttlDays));
            final List<X509Certificate> roots = Pem.readCertificates(caDir.resolve(BUNDLE_FILE));
            if (rotate)
            {
                refusedAsConfig(() -> SiteAuthority.rotate(out, intermediate, roots, siteSecret));
            }
            else
            {
                SiteAuthority.write(out, intermediate, roots, siteSecret);
            }
            spec.commandLine().getOut().println((rotate ? "site intermediate rotated: " : "site intermediate ")
                + intermediate.certificate().getSerialNumber().toString(16) + " for " + scope + "/ valid until "
                + intermediate.certificate().getNotAfter().toInstant() + ": " + out.resolve(SiteAuthority.KEY_STORE_FILE)
                + " (0600), " + out.resolve(SiteAuthority.CHAIN_FILE) + ", " + out.resolve(SiteAuthority.BUNDLE_FILE)
                + (rotate ? "; the old one is in " + out.resolve(SiteAuthority.PREVIOUS_KEY_STORE_FILE) + " until "
                + "cert intermediate --finish" : ""));
            return ExitCode.OK;
        }
    }

    @Command(name = "issued", mixinStandardHelpOptions = true,
        description = {"List the certificates a CA issued, from DIR/issued.log: serial, SPIFFE ID, validity, issuer "
            + "serial. Works on a CA directory (cert init) and on a site CA directory (cert intermediate).",
            "A line that cannot be read (an interrupted write, a disk error, an edit) is listed as CORRUPT with its "
                + "number, and the exit code is 1."})
    static final class Issued implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--ca-dir", required = true, paramLabel = "DIR",
            description = "The CA (cert init) or site CA (cert intermediate) directory.")
        Path caDir;

        @Override
        public Integer call()
        {
            final IssuedLog log = IssuedLog.read(caDir.resolve(IssuedLog.FILE));
            final java.io.PrintWriter printer = spec.commandLine().getOut();
            printer.printf("%-32s  %-20s  %-20s  %-32s  %s%n", "SERIAL", "NOT BEFORE", "NOT AFTER", "ISSUER",
                "SUBJECT");
            for (final IssuedLog.Entry entry : log.entries())
            {
                printer.printf("%-32s  %-20s  %-20s  %-32s  %s%n", entry.serial().toString(16), entry.notBefore(),
                    entry.notAfter(), entry.issuerSerial().toString(16), entry.subject());
            }
            for (final IssuedLog.Corruption corruption : log.corruptLines())
            {
                printer.println("CORRUPT line " + corruption.line() + ": " + corruption.reason());
            }
            return log.corruptLines().isEmpty() ? ExitCode.OK : ExitCode.FAILURE;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Validate a chain as the data plane does; print VALID or INVALID with the reason.")
    static final class Verify implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--bundle", required = true, paramLabel = "ROOTS.pem", description = "Trusted CAs.")
        Path bundle;

        @Option(names = "--chain", required = true, paramLabel = "CHAIN.pem",
            description = "The leaf first, then its intermediates.")
        Path chain;

        @Option(names = "--at", paramLabel = "INSTANT",
            description = "Validate at this time (ISO-8601, e.g. 2025-01-01T00:00:00Z; default: now).")
        String at;

        @ArgGroup(exclusive = true)
        Expected expected = new Expected();

        static final class Expected
        {
            @Option(names = "--spiffe-id", paramLabel = "ID",
                description = "Require this SPIFFE id (or any id in a trust domain given as spiffe://domain).")
            String spiffeId;

            @Option(names = "--dns-name", paramLabel = "NAME", description = "Validate a TLS server chain for"
                + " host NAME instead of an X.509-SVID: RFC 5280 path, serverAuth, NAME matching a DNS (or IP) SAN.")
            String dnsName;
        }

        @Override
        public Integer call()
        {
            final Instant when;
            try
            {
                when = at == null ? Instant.now() : Instant.parse(at);
            }
            catch (final DateTimeParseException ex)
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG,
                    "--at: expected an ISO-8601 instant such as 2025-01-01T00:00:00Z, got \"" + at + "\"");
            }
            final X509SvidValidator.Expectation expectation;
            if (expected.spiffeId != null)
            {
                final SpiffeId id = parseId(expected.spiffeId, "--spiffe-id");
                expectation = id.isTrustDomainId() ? X509SvidValidator.Expectation.trustDomain(id.trustDomain())
                    : X509SvidValidator.Expectation.spiffeId(id);
            }
            else
            {
                expectation = X509SvidValidator.Expectation.anyId();
            }
            final List<X509Certificate> roots;
            final List<X509Certificate> certificates;
            try
            {
                roots = Pem.readCertificates(bundle);
                certificates = Pem.readCertificates(chain);
            }
            catch (final DataPlaneException ex)
            {
                spec.commandLine().getOut().println("INVALID: " + ex.getMessage());
                return ExitCode.FAILURE;
            }
            if (expected.dnsName != null)
            {
                final TlsServerChainValidator.Result server = new TlsServerChainValidator(roots).validate(
                    certificates, when, expected.dnsName);
                return print(server.isValid(), server.reason(), server.message());
            }
            final X509SvidValidator.Result result = new X509SvidValidator(roots).validate(certificates, when,
                expectation);
            return print(result.isValid(), result.reason(),
                result.spiffeId().map(SpiffeId::toString).orElse(result.message()));
        }

        private int print(final boolean valid, final X509SvidValidator.Reason reason, final String message)
        {
            if (valid)
            {
                spec.commandLine().getOut().println("VALID: " + message);
                return ExitCode.OK;
            }
            spec.commandLine().getOut().println("INVALID: " + reason.name().toLowerCase(Locale.ROOT) + ": " + message);
            return ExitCode.FAILURE;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show the certificates in a PEM file: identity, issuer, validity, usage.")
    static final class Inspect implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "A PEM file of certificates.")
        Path file;

        @Override
        public Integer call() throws CertificateParsingException
        {
            final List<X509Certificate> certificates = Pem.readCertificates(file);
            for (int i = 0; i < certificates.size(); i++)
            {
                final X509Certificate certificate = certificates.get(i);
                final List<String> uris = new ArrayList<>();
                final List<String> dns = new ArrayList<>();
                if (certificate.getSubjectAlternativeNames() != null)
                {
                    for (final List<?> name : certificate.getSubjectAlternativeNames())
                    {
                        if (Integer.valueOf(6).equals(name.get(0)))
                        {
                            uris.add(String.valueOf(name.get(1)));
                        }
                        else if (Integer.valueOf(2).equals(name.get(0)))
                        {
                            dns.add(String.valueOf(name.get(1)));
                        }
                    }
                }
                spec.commandLine().getOut().printf("[%d] %s%n", i, certificate.getSubjectX500Principal().getName());
                spec.commandLine().getOut().printf("    URI SANs:  %s%n", uris.isEmpty() ? "none" : String.join(", ", uris));
                final String scope = signingScope(certificate);
                if (!scope.isEmpty())
                {
                    spec.commandLine().getOut().printf("    signing scope: %s%n", scope);
                }
                if (!dns.isEmpty())
                {
                    spec.commandLine().getOut().printf("    DNS SANs:  %s%n", String.join(", ", dns));
                }
                spec.commandLine().getOut().printf("    issuer:    %s%n", certificate.getIssuerX500Principal().getName());
                spec.commandLine().getOut().printf("    serial:    %s%n", certificate.getSerialNumber().toString(16));
                spec.commandLine().getOut().printf("    valid:     %s .. %s%n", certificate.getNotBefore().toInstant(),
                    certificate.getNotAfter().toInstant());
                spec.commandLine().getOut().printf("    CA:        %s%n", certificate.getBasicConstraints() >= 0 ? "yes" : "no");
                spec.commandLine().getOut().printf("    key:       %s%n", certificate.getPublicKey().getAlgorithm());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "bundle", mixinStandardHelpOptions = true,
        description = "Print the CA's trust bundle (PEM) for distribution to nodes.")
    static final class Bundle implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "The CA made by cert init.")
        Path caDir;

        @Override
        public Integer call()
        {
            spec.commandLine().getOut().print(Pem.encodeCertificates(Pem.readCertificates(caDir.resolve(BUNDLE_FILE))));
            return ExitCode.OK;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Rotate the root CA with overlap, in two steps.",
            "1. mecmesh cert rotate --ca-dir DIR: creates a new root (new key) for the same trust domain; DIR/ca.p12 "
                + "becomes the new root (cert issue signs with it), the old one is kept as DIR/ca-previous.p12, and "
                + "DIR/bundle.pem trusts both roots (new first). Distribute the bundle to every node; SVIDs of either "
                + "root validate everywhere meanwhile.",
            "2. Once every node has the new bundle and has renewed its SVID from the new root (one SVID lifetime, "
                + "24 h by default): mecmesh cert rotate --ca-dir DIR --finish: DIR/bundle.pem trusts only the new "
                + "root and DIR/ca-previous.p12 is deleted; SVIDs of the old root stop validating.",
            "A running control plane (ca in appliance.yaml) signs with the new root from its next SVID, without a "
                + "restart, and hands out the new bundle with it.",
            "Site intermediates are rotated with cert intermediate --rotate: do it for every site between the two "
                + "steps, so that they are signed by the new root before the old one stops being trusted."})
    static final class Rotate implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "The CA made by cert init.")
        Path caDir;

        @Option(names = "--finish", description = "End the overlap: trust only the new root.")
        boolean finish;

        @Option(names = "--ttl-days", defaultValue = "3650", paramLabel = "DAYS",
            description = "Lifetime of the new root (default: ${DEFAULT-VALUE}).")
        long ttlDays;

        @Mixin
        Passphrase passphrase;

        @Override
        public Integer call()
        {
            final Path current = caDir.resolve(CA_FILE);
            final Path previous = caDir.resolve(PREVIOUS_CA_FILE);
            final char[] secret = passphrase.read();
            if (finish)
            {
                final SigningAuthority root = refusedAsConfig(() -> CaDirectory.finishRootRotation(caDir, secret));
                spec.commandLine().getOut().println("rotation finished: " + caDir.resolve(BUNDLE_FILE)
                    + " trusts only the root " + root.certificate().getSerialNumber().toString(16) + "; "
                    + previous + " deleted");
                return ExitCode.OK;
            }
            final SigningAuthority next = refusedAsConfig(() -> CaDirectory.rotateRoot(caDir, secret,
                Duration.ofDays(ttlDays), InstantSource.system()));
            spec.commandLine().getOut().println("root rotated: new root "
                + next.certificate().getSerialNumber().toString(16) + " valid until "
                + next.certificate().getNotAfter().toInstant() + " in " + current + "; the old root is in "
                + previous + "; " + caDir.resolve(BUNDLE_FILE) + " trusts both. Distribute the bundle, rotate the "
                + "site intermediates (cert intermediate --rotate), let every node renew, then run: mecmesh cert "
                + "rotate --ca-dir " + caDir + " --finish");
            return ExitCode.OK;
        }
    }

    /** Runs an operator step; a refused step (wrong state of the directory) is a configuration error. */
    private static <T> T refusedAsConfig(final java.util.function.Supplier<T> step)
    {
        try
        {
            return step.get();
        }
        catch (final CertificateAuthorityException ex)
        {
            if (ex.category() == CertificateAuthorityException.Category.REQUEST_REFUSED)
            {
                throw new ApplianceException(ApplianceException.Category.CONFIG, ex.getMessage(), ex);
            }
            throw ex;
        }
    }

    private static void refusedAsConfig(final Runnable step)
    {
        refusedAsConfig(() ->
        {
            step.run();
            return null;
        });
    }

    static SpiffeId parseId(final String text, final String option)
    {
        try
        {
            return SpiffeId.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, option + ": " + ex.getMessage());
        }
    }

    /** A site intermediate's subtree (the mecmesh signing-scope extension), or empty. */
    private static String signingScope(final X509Certificate certificate)
    {
        try
        {
            return SigningScope.of(certificate).map(SpiffeId::toString).orElse("");
        }
        catch (final IllegalArgumentException ex)
        {
            return "unreadable (" + ex.getMessage() + ")";
        }
    }
}
