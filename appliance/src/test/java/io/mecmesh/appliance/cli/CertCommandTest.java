package io.mecmesh.appliance.cli;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.slicemanager.ca.CaDirectory;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.mecmesh.slicemanager.ca.IssuedLog;
import io.mecmesh.slicemanager.ca.SigningAuthority;
import io.mecmesh.slicemanager.ca.SiteAuthority;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mecmesh cert}: a CA made, an SVID issued, verified, inspected, as an operator would.
 */
class CertCommandTest
{
    private static final Path CORPUS = Path.of("../../shared/corpora/spiffe-x509svid/go-spiffe");

    @TempDir
    Path dir;

    private StringWriter out;
    private StringWriter err;
    private Path passphrase;
    private Path sitePassphrase;

    @BeforeEach
    void createCa() throws IOException
    {
        passphrase = Files.writeString(dir.resolve("pass"), "correct horse battery staple\n");
        Files.setPosixFilePermissions(passphrase, PosixFilePermissions.fromString("rw-------"));
        sitePassphrase = Files.writeString(dir.resolve("site-pass"), "a site's own passphrase\n");
        assertThat(run("cert", "init", "--trust-domain", "mesh.test", "--dir", dir.resolve("ca").toString(),
            "--passphrase-file", passphrase.toString())).isEqualTo(ExitCode.OK);
        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--spiffe-id",
            "spiffe://mesh.test/app/amf", "--out", dir.resolve("amf").toString(), "--passphrase-file",
            passphrase.toString())).isEqualTo(ExitCode.OK);
    }

    private int run(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        return MecmeshCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void shouldWriteTheKeyOwnerOnlyAndTheChainAndBundle() throws IOException
    {
        assertThat(Files.getPosixFilePermissions(dir.resolve("amf/svid-key.pem")))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("ca/ca.p12")))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(dir.resolve("amf/svid.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(dir.resolve("amf/bundle.pem")))
            .isEqualTo(Files.readString(dir.resolve("ca/bundle.pem")));
    }

    @Test
    void shouldVerifyAnIssuedSvidAsValid()
    {
        assertThat(run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            dir.resolve("amf/svid.pem").toString(), "--spiffe-id", "spiffe://mesh.test/app/amf"))
            .isEqualTo(ExitCode.OK);

        assertThat(out.toString()).isEqualTo("VALID: spiffe://mesh.test/app/amf" + System.lineSeparator());
    }

    @Test
    void shouldReportAnExpiredSvidWithItsOwnNotAfterAndTheInstantChecked()
    {
        final Instant notAfter = Pem.readCertificates(dir.resolve("amf/svid.pem")).get(0).getNotAfter().toInstant();
        final Instant later = notAfter.plus(Duration.ofDays(3));

        assertThat(run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            dir.resolve("amf/svid.pem").toString(), "--at", later.toString())).isEqualTo(ExitCode.FAILURE);

        assertThat(out.toString()).startsWith("INVALID: expired: ")
            .contains("expired at " + notAfter + " (validated at " + later + ")");
    }

    @Test
    void shouldReportTheExpectedIdThatDoesNotMatch()
    {
        assertThat(run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            dir.resolve("amf/svid.pem").toString(), "--spiffe-id", "spiffe://mesh.test/app/smf"))
            .isEqualTo(ExitCode.FAILURE);

        assertThat(out.toString()).startsWith("INVALID: spiffe_id_mismatch: ");
    }

    @Test
    void shouldAcceptAnyIdInATrustDomainAndRejectAnother()
    {
        assertThat(run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            dir.resolve("amf/svid.pem").toString(), "--spiffe-id", "spiffe://mesh.test")).isEqualTo(ExitCode.OK);
        assertThat(run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            dir.resolve("amf/svid.pem").toString(), "--spiffe-id", "spiffe://other.test"))
            .isEqualTo(ExitCode.FAILURE);
    }

    @Test
    void shouldRejectTheCorpusLeafWithCaTrueAtThePinnedTime()
    {
        assertThat(run("cert", "verify", "--bundle", CORPUS.resolve("good-leaf-only.pem").toString(), "--chain",
            CORPUS.resolve("wrong-leaf-ca-true.pem").toString(), "--at", "2021-01-01T00:00:00Z"))
            .isEqualTo(ExitCode.FAILURE);

        assertThat(out.toString()).startsWith("INVALID: leaf_ca_true: ");
    }

    @Test
    void shouldReportAnUnreadableChainAsInvalid() throws IOException
    {
        final Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");

        assertThat(run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            garbage.toString())).isEqualTo(ExitCode.FAILURE);

        assertThat(out.toString()).startsWith("INVALID: ");
    }

    @Test
    void shouldNameABadInstant()
    {
        assertThat(run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            dir.resolve("amf/svid.pem").toString(), "--at", "yesterday")).isEqualTo(ExitCode.CONFIG);

        assertThat(err.toString()).contains("--at: expected an ISO-8601 instant");
    }

    @Test
    void shouldRefuseAWrongPassphrase() throws IOException
    {
        final Path wrong = Files.writeString(dir.resolve("wrong"), "not the passphrase\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));

        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--spiffe-id",
            "spiffe://mesh.test/app/x", "--out", dir.resolve("x").toString(), "--passphrase-file", wrong.toString()))
            .isEqualTo(ExitCode.FAILURE);

        assertThat(err.toString()).contains("wrong passphrase");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void shouldRefuseToIssueOutsideTheTrustDomain()
    {
        assertThat(run("cert", "issue", "--ca-dir", dir.resolve("ca").toString(), "--spiffe-id",
            "spiffe://other.test/app/x", "--out", dir.resolve("x").toString(), "--passphrase-file",
            passphrase.toString())).isEqualTo(ExitCode.FAILURE);

        assertThat(err.toString()).contains("outside the issuer's scope");
    }

    @Test
    void shouldNotOverwriteAnExistingCa()
    {
        assertThat(run("cert", "init", "--trust-domain", "mesh.test", "--dir", dir.resolve("ca").toString(),
            "--passphrase-file", passphrase.toString())).isEqualTo(ExitCode.CONFIG);

        assertThat(err.toString()).contains("a CA is already there");
    }

    @Test
    void shouldInspectTheSpiffeIdAndValidity()
    {
        assertThat(run("cert", "inspect", dir.resolve("amf/svid.pem").toString())).isEqualTo(ExitCode.OK);

        assertThat(out.toString()).contains("URI SANs:  spiffe://mesh.test/app/amf").contains("CA:        no");
    }

    @Test
    void shouldRotateTheRootWithOverlapThenTrustOnlyTheNewRootAfterFinish() throws IOException
    {
        final String ca = dir.resolve("ca").toString();
        final String oldBundle = Files.readString(dir.resolve("ca/bundle.pem"));

        assertThat(run("cert", "rotate", "--ca-dir", ca, "--passphrase-file", passphrase.toString()))
            .as(err.toString()).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("root rotated").contains("--finish");
        assertThat(Files.readString(dir.resolve("ca/bundle.pem")))
            .as("the overlap bundle holds the new root then the old one").endsWith(oldBundle)
            .isNotEqualTo(oldBundle);
        assertThat(run("cert", "issue", "--ca-dir", ca, "--spiffe-id", "spiffe://mesh.test/app/smf", "--out",
            dir.resolve("smf").toString(), "--passphrase-file", passphrase.toString())).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(dir.resolve("smf/bundle.pem")))
            .isEqualTo(Files.readString(dir.resolve("ca/bundle.pem")));

        assertThat(verify("amf")).as("a leaf of the old root, during the overlap").isEqualTo(ExitCode.OK);
        assertThat(verify("smf")).as("a leaf of the new root, during the overlap").isEqualTo(ExitCode.OK);
        assertThat(run("cert", "rotate", "--ca-dir", ca, "--passphrase-file", passphrase.toString()))
            .as("a second rotation before finishing").isEqualTo(ExitCode.CONFIG);
        assertThat(err.toString()).contains("rotation is in progress");

        assertThat(run("cert", "rotate", "--ca-dir", ca, "--finish", "--passphrase-file", passphrase.toString()))
            .isEqualTo(ExitCode.OK);
        assertThat(Files.exists(dir.resolve("ca/ca-previous.p12"))).isFalse();
        assertThat(verify("smf")).as("the new root's leaf after finish").isEqualTo(ExitCode.OK);
        assertThat(verify("amf")).as("the old root's leaf after finish").isEqualTo(ExitCode.FAILURE);
        assertThat(out.toString()).startsWith("INVALID: ");
    }

    @Test
    void shouldRefuseToFinishWithoutARotation()
    {
        assertThat(run("cert", "rotate", "--ca-dir", dir.resolve("ca").toString(), "--finish", "--passphrase-file",
            passphrase.toString())).isEqualTo(ExitCode.CONFIG);
        assertThat(err.toString()).contains("no rotation in progress");
    }

    @Test
    void shouldDocumentTheTwoStepsOfRotationInTheHelp()
    {
        assertThat(run("cert", "rotate", "--help")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("--finish").contains("ca-previous.p12").contains("trusts both roots");
    }

    private int verify(final String name)
    {
        return run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            dir.resolve(name + "/svid.pem").toString(), "--spiffe-id", "spiffe://mesh.test/app/" + name);
    }

    @Test
    void shouldCreateASiteIntermediateWhoseSvidsVerifyAgainstTheBundleWithoutTheRootKey() throws IOException
    {
        final Path site = dir.resolve("site-edge-1");
        assertThat(run("cert", "intermediate", "--ca-dir", dir.resolve("ca").toString(), "--site", "edge-1",
            "--out", site.toString(), "--ttl-days", "30", "--passphrase-file", passphrase.toString(),
            "--site-passphrase-file", sitePassphrase.toString())).as(err.toString()).isEqualTo(ExitCode.OK);

        assertThat(Files.getPosixFilePermissions(site.resolve(SiteAuthority.KEY_STORE_FILE)))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(site.resolve(SiteAuthority.CHAIN_FILE))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(site.resolve(SiteAuthority.BUNDLE_FILE)))
            .isEqualTo(Files.readString(dir.resolve("ca/bundle.pem")));
        assertThat(out.toString()).contains("spiffe://mesh.test/site/edge-1/");

        // the site has only its own directory: the root key store is gone
        Files.delete(dir.resolve("ca/ca.p12"));
        final SiteAuthority authority = SiteAuthority.load(site, CaKeyStore.passphraseFromFile(sitePassphrase),
            InstantSource.system(), Duration.ofHours(1));
        final List<X509Certificate> chain = authority.issue(CertificateRequests.csr(CertificateRequests.newKeyPair()),
            SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf"));
        final Path svid = Files.writeString(dir.resolve("workload.pem"), Pem.encodeCertificates(chain));

        assertThat(run("cert", "verify", "--bundle", site.resolve(SiteAuthority.BUNDLE_FILE).toString(), "--chain",
            svid.toString(), "--spiffe-id", "spiffe://mesh.test/site/edge-1/app/amf")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEqualTo("VALID: spiffe://mesh.test/site/edge-1/app/amf" + System.lineSeparator());
    }

    @Test
    void shouldRefuseAnIntermediateForASiteThatIsNotAPathSegment()
    {
        assertThat(run("cert", "intermediate", "--ca-dir", dir.resolve("ca").toString(), "--site", "edge/1",
            "--out", dir.resolve("site").toString(), "--passphrase-file", passphrase.toString(),
            "--site-passphrase-file", sitePassphrase.toString())).isEqualTo(ExitCode.CONFIG);

        assertThat(err.toString()).contains("--site: site: \"edge/1\" is not a path segment");
        assertThat(dir.resolve("site")).doesNotExist();
    }

    @Test
    void shouldRefuseAnIntermediateWithoutACaDirectory()
    {
        assertThat(run("cert", "intermediate", "--ca-dir", dir.resolve("nowhere").toString(), "--site", "edge-1",
            "--out", dir.resolve("site").toString(), "--passphrase-file", passphrase.toString(),
            "--site-passphrase-file", sitePassphrase.toString())).isEqualTo(ExitCode.CONFIG);

        assertThat(err.toString()).contains("--ca-dir: ").contains("does not exist; create the CA with mecmesh cert "
            + "init");
        assertThat(dir.resolve("site")).doesNotExist();
    }

    @Test
    void shouldListEveryIssuedCertificateWithItsSerialAndIssuer() throws IOException
    {
        final X509Certificate amf = Pem.readCertificates(dir.resolve("amf/svid.pem")).get(0);
        final X509Certificate root = Pem.readCertificates(dir.resolve("ca/bundle.pem")).get(0);

        assertThat(run("cert", "issued", "--ca-dir", dir.resolve("ca").toString())).isEqualTo(ExitCode.OK);

        final List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("SERIAL");
        assertThat(lines.get(1)).startsWith(root.getSerialNumber().toString(16)).endsWith("spiffe://mesh.test");
        assertThat(lines.get(2)).startsWith(amf.getSerialNumber().toString(16))
            .contains(root.getSerialNumber().toString(16)).contains(amf.getNotAfter().toInstant().toString())
            .endsWith("spiffe://mesh.test/app/amf");
        assertThat(Files.getPosixFilePermissions(dir.resolve("ca/issued.log")))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void shouldListACorruptLineAndFail() throws IOException
    {
        Files.writeString(dir.resolve("ca/issued.log"), "deadbeef\tspiffe://mesh.test/app/x\t20",
            java.nio.file.StandardOpenOption.APPEND);

        assertThat(run("cert", "issued", "--ca-dir", dir.resolve("ca").toString())).isEqualTo(ExitCode.FAILURE);

        assertThat(out.toString()).contains("spiffe://mesh.test/app/amf")
            .contains("CORRUPT line 3: incomplete line (no line end): a write was interrupted");
    }

    @Test
    void shouldLetARunningCaSignWithTheNewRootAfterCertRotate()
    {
        final CaDirectory live = CaDirectory.open(dir.resolve("ca"), CaKeyStore.passphraseFromFile(passphrase),
            InstantSource.system());
        final X509Certificate oldRoot = live.authority().root().certificate();

        assertThat(run("cert", "rotate", "--ca-dir", dir.resolve("ca").toString(), "--passphrase-file",
            passphrase.toString())).isEqualTo(ExitCode.OK);
        final CertificateAuthority current = live.authority();
        final X509Certificate leaf = current.issue(current.root(), CertificateRequests.csr(
            CertificateRequests.newKeyPair()), SpiffeId.parse("spiffe://mesh.test/app/upf")).get(0);

        assertThat(current.root().certificate()).isNotEqualTo(oldRoot);
        assertThat(live.trustBundle()).containsExactly(current.root().certificate(), oldRoot);
        assertThat(new X509SvidValidator(List.of(current.root().certificate())).validate(List.of(leaf),
            Instant.now()).isValid()).as("signed by the new root without a restart").isTrue();
        assertThat(run("cert", "rotate", "--ca-dir", dir.resolve("ca").toString(), "--finish", "--passphrase-file",
            passphrase.toString())).isEqualTo(ExitCode.OK);
        assertThat(live.trustBundle()).containsExactly(current.root().certificate());
        assertThat(live.issued().entries()).extracting(IssuedLog.Entry::serial).contains(leaf.getSerialNumber());
    }

    @Test
    void shouldRefuseASitePassphraseThatIsTheRoots()
    {
        assertThat(run("cert", "intermediate", "--ca-dir", dir.resolve("ca").toString(), "--site", "edge-1",
            "--out", dir.resolve("site").toString(), "--passphrase-file", passphrase.toString(),
            "--site-passphrase-file", passphrase.toString())).isEqualTo(ExitCode.CONFIG);

        assertThat(err.toString()).contains("--site-passphrase-file: the site CA's passphrase must differ from the "
            + "root's");
        assertThat(dir.resolve("site")).doesNotExist();
    }

    @Test
    void shouldRotateASiteIntermediateWithOverlapThenFinish() throws IOException
    {
        final Path site = dir.resolve("site-edge-1");
        final String[] common = {"--ca-dir", dir.resolve("ca").toString(), "--site", "edge-1", "--out",
            site.toString(), "--passphrase-file", passphrase.toString(), "--site-passphrase-file",
            sitePassphrase.toString()};
        assertThat(run(concat(new String[] {"cert", "intermediate"}, common))).isEqualTo(ExitCode.OK);
        final SiteAuthority live = SiteAuthority.load(site, CaKeyStore.passphraseFromFile(sitePassphrase),
            InstantSource.system(), Duration.ofHours(1));
        final X509Certificate first = live.intermediate().certificate();
        assertThat(run(concat(new String[] {"cert", "intermediate"}, common))).as("no silent overwrite")
            .isEqualTo(ExitCode.CONFIG);
        assertThat(err.toString()).contains("use --rotate");

        assertThat(run(concat(new String[] {"cert", "intermediate", "--rotate"}, common))).as(err.toString())
            .isEqualTo(ExitCode.OK);
        final List<X509Certificate> chain = live.issue(CertificateRequests.csr(CertificateRequests.newKeyPair()),
            SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf"));

        assertThat(out.toString()).contains("site intermediate rotated").contains("site-ca-previous.p12");
        assertThat(chain.get(1)).as("the running site CA took up the new intermediate").isNotEqualTo(first);
        assertThat(Files.exists(site.resolve(SiteAuthority.PREVIOUS_KEY_STORE_FILE))).isTrue();
        assertThat(run("cert", "intermediate", "--site", "edge-1", "--out", site.toString(), "--finish"))
            .as(err.toString()).isEqualTo(ExitCode.OK);
        assertThat(Files.exists(site.resolve(SiteAuthority.PREVIOUS_KEY_STORE_FILE))).isFalse();
        assertThat(run("cert", "intermediate", "--site", "edge-1", "--out", site.toString(), "--finish"))
            .isEqualTo(ExitCode.CONFIG);
        assertThat(run("cert", "issued", "--ca-dir", site.toString())).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("spiffe://mesh.test/site/edge-1/app/amf");
    }

    /**
     * The site boundary through the CLI: a leaf of site edge-2 signed with site edge-1's intermediate (as a thief of
     * that intermediate would) is INVALID, naming the rule.
     */
    @Test
    void shouldVerifyALeafOfAnotherSiteSignedByASiteIntermediateAsInvalid() throws IOException
    {
        final Path site = dir.resolve("site-edge-1");
        assertThat(run("cert", "intermediate", "--ca-dir", dir.resolve("ca").toString(), "--site", "edge-1",
            "--out", site.toString(), "--passphrase-file", passphrase.toString(), "--site-passphrase-file",
            sitePassphrase.toString())).isEqualTo(ExitCode.OK);
        final SigningAuthority stolen = CaKeyStore.readSiteIntermediate(site.resolve(SiteAuthority.KEY_STORE_FILE),
            CaKeyStore.passphraseFromFile(sitePassphrase));
        final SigningAuthority thief = new SigningAuthority(stolen.certificate(), stolen.privateKey(),
            SpiffeId.ofTrustDomain("mesh.test"), stolen.chain());
        final CertificateAuthority anyCa = CertificateAuthority.load(CaKeyStore.readRoot(
            dir.resolve("ca/ca.p12"), CaKeyStore.passphraseFromFile(passphrase)), InstantSource.system(), List.of());
        final Path forged = Files.writeString(dir.resolve("forged.pem"), Pem.encodeCertificates(anyCa.issue(thief,
            CertificateRequests.csr(CertificateRequests.newKeyPair()),
            SpiffeId.parse("spiffe://mesh.test/site/edge-2/node/edge-2"))));

        assertThat(run("cert", "verify", "--bundle", dir.resolve("ca/bundle.pem").toString(), "--chain",
            forged.toString())).isEqualTo(ExitCode.FAILURE);

        assertThat(out.toString()).startsWith("INVALID: leaf_outside_signing_cert_scope: leaf: SPIFFE ID "
            + "spiffe://mesh.test/site/edge-2/node/edge-2 is outside spiffe://mesh.test/site/edge-1");
    }

    private static String[] concat(final String[] first, final String[] second)
    {
        final String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
