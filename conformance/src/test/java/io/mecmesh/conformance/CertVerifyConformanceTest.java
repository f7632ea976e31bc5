package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mecmesh cert verify --dns-name} through the launcher: a TLS server chain as a web-PKI or private CA issues
 * it (made by the real openssl: no SPIFFE ID) is validated as a TLS server chain, not as an X.509-SVID; and a chain
 * that is not a valid TLS server chain for the name is still refused.
 */
class CertVerifyConformanceTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void shouldVerifyAWebPkiServerChainWithDnsNameAndRefuseItAsAnSvidOrForAnotherName() throws Exception
    {
        openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=private root", "-days", "30",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=api.example.com");
        Files.writeString(dir.resolve("server.ext"), """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:api.example.com
            """);
        openssl("x509", "-req", "-in", "server.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "10", "-extfile", "server.ext");

        final Launcher.Result valid = Launcher.run(dir, "cert", "verify", "--bundle", "root.pem", "--chain",
            "server.pem", "--dns-name", "api.example.com");
        final Launcher.Result otherName = Launcher.run(dir, "cert", "verify", "--bundle", "root.pem", "--chain",
            "server.pem", "--dns-name", "www.example.com");
        final Launcher.Result asSvid = Launcher.run(dir, "cert", "verify", "--bundle", "root.pem", "--chain",
            "server.pem");

        assertThat(valid.exitCode()).as(valid.toString()).isZero();
        assertThat(valid.out()).startsWith("VALID: valid TLS server chain for api.example.com");
        assertThat(otherName.exitCode()).isEqualTo(1);
        assertThat(otherName.out()).startsWith("INVALID: dns_name_mismatch: ");
        assertThat(asSvid.exitCode()).isEqualTo(1);
        assertThat(asSvid.out()).startsWith("INVALID: leaf_no_uri_san: ");
    }

    private void openssl(final String... args) throws Exception
    {
        final String[] command = new String[args.length + 1];
        command[0] = Processes.onPath("openssl", "openssl");
        System.arraycopy(args, 0, command, 1, args.length);
        final Processes.Result result = Processes.exec(dir, TIMEOUT, command);
        assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.output()).isZero();
    }
}
