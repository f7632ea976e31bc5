package io.mecmesh.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5: {@code testssl.sh} (Debian package {@code testssl.sh}, command {@code testssl}) against an appliance's
 * external TLS listener (TLS 1.2 and 1.3, no client certificate) finds no vulnerability and no weak protocol or
 * cipher. It runs offline: an IP address with {@code --nodns none}, and without {@code --phone-out} it fetches no CRL
 * and asks no OCSP responder. Its full output and JSON findings are written to {@code target/conformance-reports/}
 * and logged. Certificate checks ({@code -S}) are left out: the listener serves an X.509-SVID, which no public CA
 * signs and which has no DNS name, so testssl would rightly call its trust chain and host name not OK.
 */
class TestsslConformanceTest
{
    private static final System.Logger LOG = System.getLogger(TestsslConformanceTest.class.getName());
    /** One flat JSON finding: {"id" : "...", "ip" : ..., "port" : ..., "severity" : "...", "finding" : "..."}. */
    private static final Pattern FINDING = Pattern.compile("\"id\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\".*?"
        + "\"severity\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\".*?\"finding\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"",
        Pattern.DOTALL);

    /**
     * A testssl finding.
     *
     * @param severity OK, INFO, LOW, MEDIUM, HIGH, CRITICAL, or WARN (a problem of testssl itself).
     * @param finding  what it found.
     */
    record Finding(String severity, String finding)
    {
    }

    /** Kept when a test fails: the appliances' configurations and logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static EchoBackend backend;
    private static ApplianceProcess node;
    private static int externalPort;

    @BeforeAll
    static void startAnApplianceWithAnExternalTlsListener() throws Exception
    {
        final Pki mesh = Pki.init(dir.resolve("mesh.test"), "mesh.test");
        final Pki.Identity identity = mesh.issue("svc/external");
        backend = new EchoBackend();
        final int[] ports = FreePorts.take(2);
        externalPort = ports[0];
        node = ApplianceProcess.start(dir, "node-e", ports[1], """
            node:
              id: node-e
            admin:
              address: 127.0.0.1
              port: %d
            dataplane:
              listeners:
                - name: external-in
                  address: 127.0.0.1
                  port: %d
                  tls:
                    mode: external
                    certificateChain: %s
                    privateKey: %s
                    trustBundle: %s
              clusters:
                - name: backend
                  endpoints: ["127.0.0.1:%d"]
              routes:
                - name: to-backend
                  cluster: backend
            """.formatted(ports[1], externalPort, identity.chain(), identity.key(), identity.bundle(),
            backend.port()));
        node.awaitReady();
    }

    @AfterAll
    static void stopEverything()
    {
        if (node != null)
        {
            node.close();
        }
        if (backend != null)
        {
            backend.close();
        }
    }

    @Test
    void shouldFindNoVulnerabilityAndNoWeakProtocolOrCipherOnTheExternalListener() throws Exception
    {
        final String testssl = Processes.onPath("testssl.sh", "testssl", "testssl.sh");
        final Path reports = Files.createDirectories(Path.of(System.getProperty("mecmesh.conformance.reports",
            "target/conformance-reports")));
        final Path json = reports.resolve("testssl-external-listener.json");
        Files.deleteIfExists(json);
        final long startNs = System.nanoTime();

        // -p protocols, -s cipher categories, -f forward secrecy, -U every vulnerability check.
        final Processes.Result result = Processes.exec(dir, Duration.ofMinutes(3), "", List.of(testssl, "--quiet",
            "--color", "0", "--warnings", "off", "--nodns", "none", "--connect-timeout", "5", "--openssl-timeout",
            "5", "--jsonfile", json.toString(), "-p", "-s", "-f", "-U", "127.0.0.1:" + externalPort));

        final Duration took = Duration.ofNanos(System.nanoTime() - startNs);
        Files.writeString(reports.resolve("testssl-external-listener.txt"), result.output(), StandardCharsets.UTF_8);
        LOG.log(System.Logger.Level.INFO, "testssl against the external listener (exit {0}, {1} s):\n{2}",
            result.exitCode(), took.toSeconds(), result.output());
        final Map<String, Finding> findings = findings(Files.readString(json, StandardCharsets.UTF_8));

        assertThat(findings).as(result.output()).containsKeys("SSLv2", "TLS1_3", "heartbleed", "ROBOT", "RC4");
        for (final String protocol : List.of("SSLv2", "SSLv3", "TLS1", "TLS1_1"))
        {
            assertThat(findings.get(protocol).finding()).as(protocol).isEqualTo("not offered");
        }
        assertThat(findings.get("TLS1_2").finding()).isEqualTo("offered");
        assertThat(findings.get("TLS1_3").finding()).startsWith("offered");
        for (final String ciphers : List.of("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT",
            "cipherlist_LOW", "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"))
        {
            assertThat(findings.get(ciphers).finding()).as(ciphers).isEqualTo("not offered");
        }
        final List<String> bad = new ArrayList<>();
        findings.forEach((id, f) ->
        {
            if (f.finding().contains("VULNERABLE") || List.of("MEDIUM", "HIGH", "CRITICAL").contains(f.severity()))
            {
                bad.add(id + " " + f.severity() + ": " + f.finding());
            }
        });
        assertThat(bad).as("findings rated MEDIUM or worse, or VULNERABLE").isEmpty();
    }

    private static Map<String, Finding> findings(final String json)
    {
        final Map<String, Finding> findings = new LinkedHashMap<>();
        final Matcher matcher = FINDING.matcher(json);
        while (matcher.find())
        {
            findings.put(matcher.group(1), new Finding(matcher.group(2), matcher.group(3)));
        }
        return findings;
    }
}
