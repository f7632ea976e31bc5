package io.mecmesh.conformance;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the MEC API conformance tests share: an appliance of role {@code all} with a CA, the MEC API and one ingress
 * listener, and curl runs read as "STATUS BODY".
 */
final class MecAppliance
{
    private static final Duration CURL_TIMEOUT = Duration.ofSeconds(30);

    private MecAppliance()
    {
    }

    /**
     * Starts it, node {@code edge-a} in site-a / zone-1.
     *
     * @param dir   the test's directory (data under {@code data}).
     * @param pki   the CA.
     * @param ports six free ports: 0 admin, 1 ingress, 2 control-plane API, 3 config, 4 ack, 5 MEC API.
     * @return the running appliance.
     */
    static ApplianceProcess start(final Path dir, final Pki pki, final int[] ports) throws IOException
    {
        return start(dir, pki, ports, "all", "");
    }

    /**
     * Starts it as {@link #start(Path, Pki, int[])} does, with its configuration and log named after {@code name}
     * (a restart on the same data directory keeps the first run's log).
     */
    static ApplianceProcess start(final Path dir, final Pki pki, final int[] ports, final String name)
        throws IOException
    {
        return start(dir, pki, ports, name, "");
    }

    /**
     * Starts it with more settings of {@code controlPlane.mecApi}.
     *
     * @param mecApi YAML flow entries added to {@code mecApi} (", oauth2: {...}"), or "".
     */
    static ApplianceProcess startWithMecApi(final Path dir, final Pki pki, final int[] ports, final String mecApi)
        throws IOException
    {
        return start(dir, pki, ports, "all", mecApi);
    }

    private static ApplianceProcess start(final Path dir, final Pki pki, final int[] ports, final String name,
        final String mecApi) throws IOException
    {
        return ApplianceProcess.start(dir, name, ports[0], """
            role: all
            node: {id: edge-a, site: site-a, zone: zone-1}
            dataDirectory: %s
            admin: {address: 127.0.0.1, port: %d}
            controlPlane: {address: 127.0.0.1, api: {port: %d, insecureLoopback: true}, configPort: %d,
              ackPort: %d, mecApi: {address: 127.0.0.1, port: %d%s}}
            ca: {directory: %s, passphraseFile: %s}
            dataplane:
              listeners:
                - {name: ingress, address: 127.0.0.1, port: %d}
            """.formatted(dir.resolve("data"), ports[0], ports[2], ports[3], ports[4], ports[5], mecApi, pki.caDir(),
            pki.passphraseFile(), ports[1]));
    }

    /**
     * Starts it ({@link #start}), waits until it is live and applies (CLI {@code apply -f}) slice {@code 1-000001},
     * node {@code edge-a} and the application instances given.
     *
     * @param dir   the test's directory.
     * @param pki   the CA.
     * @param ports six free ports, as for {@link #start}.
     * @param apps  the {@code apps:} list of the desired state, in YAML, each item indented by two spaces.
     * @return the running appliance.
     */
    static ApplianceProcess startWithApps(final Path dir, final Pki pki, final int[] ports, final String apps)
        throws IOException, InterruptedException
    {
        final ApplianceProcess appliance = start(dir, pki, ports);
        appliance.awaitLive();
        final Path document = java.nio.file.Files.writeString(dir.resolve("desired-state.yaml"), """
            slices:
              - {snssai: 1-000001, name: embb, fiveQi: 9}
            nodes:
              - {id: edge-a, site: site-a, zone: zone-1, services: []}
            apps:
            """ + apps);
        final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
            "http://127.0.0.1:" + ports[2]);
        if (applied.exitCode() != 0)
        {
            appliance.close();
            throw new AssertionError("apply -f " + document + ": " + applied);
        }
        return appliance;
    }

    /**
     * Runs curl with {@code -w "\n%{http_code}"} among its arguments.
     *
     * @return "STATUS BODY" (just "STATUS" for an empty body).
     */
    static String curl(final Path dir, final List<String> command)
    {
        try
        {
            final String output = Processes.exec(dir, CURL_TIMEOUT, "", command).output().trim();
            final int newline = output.lastIndexOf('\n');
            return newline < 0 ? output : output.substring(newline + 1) + " " + output.substring(0, newline);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /**
     * A call of the MEC API by an application with its X.509-SVID (curl, {@code -k}).
     *
     * @param dir      the test's directory.
     * @param identity the application's SVID.
     * @param mecPort  the MEC API's port.
     * @param method   the HTTP method.
     * @param path     the path (and query) after the port.
     * @param body     a JSON body, or null for none.
     * @param headers  extra request headers ({@code "If-Match: ..."}).
     * @param writeOut what curl writes after the body and before the status ({@code "\n%header{location}"}), or "".
     * @return "STATUS BODY", then what {@code writeOut} adds.
     */
    static String call(final Path dir, final Pki.Identity identity, final int mecPort, final String method,
        final String path, final String body, final List<String> headers, final String writeOut)
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "-k", "--max-time", "15", "--noproxy",
            "*", "-w", writeOut + "\n%{http_code}", "--cert", identity.chain().toString(), "--key",
            identity.key().toString(), "-X", method));
        for (final String header : headers)
        {
            command.addAll(List.of("-H", header));
        }
        if (body != null)
        {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data", body));
        }
        command.add("https://127.0.0.1:" + mecPort + path);
        final String answer = curl(dir, command);
        if (answer.startsWith("000"))
        {
            throw new AssertionError("curl could not reach the MEC API: " + answer);
        }
        return answer;
    }
}
