package io.mecmesh.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the MEC 015 enforcement tests share: on a {@link MecAppliance}, the application {@code bulk} on edge-a in the
 * eMBB slice (classified by the ingress listener), its service registered over Mp1 ({@code Host: bulkservice}).
 */
final class BwmBulkApp
{
    /** The registered service's host name. */
    static final String HOST = "bulkservice";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private BwmBulkApp()
    {
    }

    /**
     * Applies the desired state, registers the service and waits until it is routed.
     *
     * @param dir         the test's directory.
     * @param ports       the {@link MecAppliance} ports.
     * @param appliance   the running appliance.
     * @param app         the application's SVID ({@code app/bulk}).
     * @param appId       the application instance's id.
     * @param backendPort the service's port on 127.0.0.1.
     * @param routed      true once a download through the edge works.
     */
    static void deploy(final Path dir, final int[] ports, final ApplianceProcess appliance, final Pki.Identity app,
        final String appId, final int backendPort, final BooleanSupplier routed) throws Exception
    {
        final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
            slices:
              - {snssai: 1-000001, name: embb, fiveQi: 9, classification: [{listener: ingress}]}
            nodes:
              - {id: edge-a, site: site-a, zone: zone-1, services: []}
            apps:
              - {id: %s, name: bulk, node: edge-a, slice: 1-000001, spiffeId: spiffe://mesh.test/app/bulk}
            """.formatted(appId));
        final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
            "http://127.0.0.1:" + ports[2]);
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        appliance.awaitReady();
        assertThat(MecAppliance.call(dir, app, ports[5], "POST", "/mec_service_mgmt/v1/applications/" + appId
            + "/services", """
            {"serName":"BulkService","version":"1","state":"ACTIVE","serializer":"JSON",
             "transportInfo":{"id":"t1","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"1.1",
              "endpoint":{"addresses":[{"host":"127.0.0.1","port":%d}]},"security":{}}}""".formatted(backendPort),
            List.of(), "")).startsWith("201 ");
        Processes.await(DEADLINE, routed, () -> "the registered service is routed, unlimited");
    }
}
