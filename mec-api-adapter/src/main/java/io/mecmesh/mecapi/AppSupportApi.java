package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * MEC 011 application support ({@code /mec_app_support/v2}, and {@code v1} as an alias): timing.
 */
final class AppSupportApi
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String root;
    private final ControlPlaneBackend backend;
    private final Clock clock;

    AppSupportApi(final String apiRoot, final ControlPlaneBackend backend)
    {
        this.root = requireNonNull(apiRoot, "apiRoot");
        this.backend = requireNonNull(backend, "backend");
        this.clock = Clock.systemUTC();
    }

    void register(final Router router)
    {
        for (final String version : new String[] {"v2", "v1"})
        {
            final String base = root + "/mec_app_support/" + version;
            router.get(base + "/timing/current_time").handler(this::currentTime);
            router.get(base + "/timing/timing_caps").handler(this::timingCaps);
        }
    }

    private void currentTime(final RoutingContext context)
    {
        final Instant now = clock.instant();
        final ObjectNode body = JSON.createObjectNode();
        body.put("seconds", now.getEpochSecond());
        body.put("nanoSeconds", now.getNano());
        // The appliance does not know whether the host's clock is locked to UTC (no NTP/PTP status is read).
        body.put("timeSourceStatus", "NONTRACEABLE");
        ok(context, body);
    }

    private void timingCaps(final RoutingContext context)
    {
        final Instant now = clock.instant();
        final ObjectNode body = JSON.createObjectNode();
        final ObjectNode stamp = body.putObject("timeStamp");
        stamp.put("seconds", now.getEpochSecond());
        stamp.put("nanoSeconds", now.getNano());
        ok(context, body);
    }

    static void ok(final RoutingContext context, final ObjectNode body)
    {
        context.response().setStatusCode(200).putHeader("Content-Type", "application/json")
            .end(Buffer.buffer(body.toString()));
    }
}
