package io.mecmesh.appliance.dns;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.appliance.admin.MetricsExport;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.mecapi.dns.DnsConfig;
import io.mecmesh.mecapi.dns.DnsResponder;
import io.mecmesh.mecapi.dns.DnsZone;
import io.mecmesh.slicemanager.compiler.NodeDnsRule;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The MEC DNS responder on an edge: started with the file's routes (mesh names) and no rules; each configuration
 * the node applies (from the control plane, or its last-known-good file at start) gives it that configuration's DNS
 * rules and routes, so it serves the last applied rules while the control plane is away. Exports its counters and
 * serves {@value #PATH} on the admin endpoint (what {@code mecmesh proxy-config dns} shows).
 */
public final class EdgeDns implements AutoCloseable
{
    /** The admin endpoint's page of the records served. */
    public static final String PATH = "/dns";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DnsConfig config;
    private final DnsResponder responder;

    private EdgeDns(final DnsConfig config, final DnsResponder responder)
    {
        this.config = config;
        this.responder = responder;
    }

    /**
     * @param config   the responder's settings (enabled).
     * @param fromFile the file's data-plane configuration (its routes' hosts are mesh names until a configuration
     *                 is applied).
     * @return the running responder.
     * @throws ApplianceException ({@code UNAVAILABLE}) when its address cannot be bound.
     */
    public static EdgeDns start(final DnsConfig config, final MeshConfig fromFile)
    {
        requireNonNull(config, "config");
        requireNonNull(fromFile, "fromFile");
        final DnsResponder responder;
        try
        {
            responder = DnsResponder.start(config, System::nanoTime);
        }
        catch (final IllegalStateException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, ex.getMessage(), ex);
        }
        final EdgeDns dns = new EdgeDns(config, responder);
        dns.applied(List.of(), fromFile);
        return dns;
    }

    /**
     * Serves the names of a configuration the node applied.
     *
     * @param rules   its DNS rules.
     * @param running the data plane's configuration it runs now (its routes' hosts, its listeners).
     */
    public void applied(final List<NodeDnsRule> rules, final MeshConfig running)
    {
        responder.update(DnsZone.of(rules, running, config.defaultTtl()));
    }

    /**
     * @param metrics where to export the responder's counters.
     */
    public void exportTo(final MetricsExport metrics)
    {
        metrics.addDns(responder.counters(), () -> responder.zone().records().size());
    }

    /**
     * @return {@value #PATH}: the address, the upstreams, the configuration version and every record, as JSON.
     */
    public HttpHandler adminHandler()
    {
        return this::dump;
    }

    private void dump(final HttpExchange exchange) throws IOException
    {
        final DnsZone zone = responder.zone();
        final List<Map<String, Object>> records = new ArrayList<>();
        for (final DnsZone.Record record : zone.records())
        {
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", record.name());
            entry.put("type", record.ipv6() ? "AAAA" : "A");
            entry.put("address", record.address().getHostAddress());
            entry.put("ttl", record.ttl());
            entry.put("source", record.source());
            records.add(entry);
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("address", responder.address().getAddress().getHostAddress() + ":" + responder.address().getPort());
        body.put("upstreams", config.upstreams().stream()
            .map(upstream -> upstream.getAddress().getHostAddress() + ":" + upstream.getPort()).toList());
        body.put("version", zone.version());
        body.put("records", records);
        final byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(200, head ? -1 : bytes.length);
        if (!head)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close()
    {
        responder.close();
    }
}
