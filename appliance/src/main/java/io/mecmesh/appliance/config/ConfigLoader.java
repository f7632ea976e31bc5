package io.mecmesh.appliance.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.transport.TransportKind;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads {@code appliance.yaml} into an {@link ApplianceConfig}, validated once. Every key is documented in
 * {@code packaging/src/etc/appliance.yaml}; an unknown key is an error (a typo must not silently fall back to a
 * default). Errors name the file, the key path and what was expected.
 */
public final class ConfigLoader
{
    private static final YAMLMapper YAML = new YAMLMapper();

    private ConfigLoader()
    {
    }

    /**
     * Loads and validates a configuration file.
     *
     * @param file the file.
     * @return the configuration.
     * @throws ApplianceException with category {@code CONFIG} naming the file, key path and what was expected.
     */
    public static ApplianceConfig load(final Path file)
    {
        final String name = file.toString();
        final String text;
        try
        {
            text = Files.readString(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, name + ": no such file", ex);
        }
        catch (final IOException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG,
                name + ": cannot read: " + ex.getMessage(), ex);
        }
        return parse(name, text);
    }

    /**
     * Parses and validates configuration text.
     *
     * @param name what to call the source in errors (the file name).
     * @param text the YAML text.
     * @return the configuration.
     */
    public static ApplianceConfig parse(final String name, final String text)
    {
        final JsonNode tree;
        try
        {
            tree = YAML.readTree(text);
        }
        catch (final JsonProcessingException ex)
        {
            final JsonLocation location = ex.getLocation();
            final String where = location == null ? "" : "line " + location.getLineNr() + ", column "
                + location.getColumnNr() + ": ";
            throw new ApplianceException(ApplianceException.Category.CONFIG,
                name + ": " + where + "not valid YAML: " + ex.getOriginalMessage(), ex);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull())
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, name + ": the file is empty");
        }
        final ConfigNode root = ConfigNode.root(name, tree).requireMapping("node", "admin", "dataplane");
        if (!root.get("dataplane").isPresent())
        {
            throw root.get("dataplane").error("missing (expected a mapping with listeners, clusters and routes)");
        }
        return new ApplianceConfig(node(root.get("node")), admin(root.get("admin")), dataplane(root.get("dataplane")));
    }

    private static NodeConfig node(final ConfigNode node)
    {
        node.requireMapping("id");
        return node.build(n -> new NodeConfig(n.string("id", defaultNodeId())));
    }

    private static AdminConfig admin(final ConfigNode admin)
    {
        admin.requireMapping("address", "port");
        return admin.build(a -> new AdminConfig(
            a.string("address", AdminConfig.DEFAULT_ADDRESS),
            a.integer("port", AdminConfig.DEFAULT_PORT, 0, 65535)));
    }

    private static MeshConfig dataplane(final ConfigNode dataplane)
    {
        dataplane.requireMapping("transport", "eventLoopThreads", "listeners", "clusters", "routes");
        return dataplane.build(d -> new MeshConfig(
            0,
            d.enumValue("transport", TransportKind.class, TransportKind.AUTO),
            d.integer("eventLoopThreads", 0, 0, 1024),
            d.list("listeners", ConfigLoader::listener),
            d.list("routes", ConfigLoader::route),
            d.list("clusters", ConfigLoader::cluster)));
    }

    private static ListenerConfig listener(final ConfigNode listener)
    {
        listener.requireMapping("name", "address", "port", "maxRequestLineBytes", "maxHeaderBytes");
        return listener.build(l -> new ListenerConfig(
            l.string("name"),
            l.string("address", "0.0.0.0"),
            l.requiredInteger("port", 0, 65535),
            l.integer("maxRequestLineBytes", ListenerConfig.DEFAULT_MAX_REQUEST_LINE_BYTES, 256, 1 << 20),
            l.integer("maxHeaderBytes", ListenerConfig.DEFAULT_MAX_HEADER_BYTES, 1024, 1 << 20)));
    }

    private static RouteConfig route(final ConfigNode route)
    {
        route.requireMapping("host", "pathPrefix", "cluster");
        return route.build(r -> new RouteConfig(
            r.string("host", RouteConfig.ANY_HOST),
            r.string("pathPrefix", "/"),
            r.string("cluster")));
    }

    private static ClusterConfig cluster(final ConfigNode cluster)
    {
        cluster.requireMapping("name", "endpoints", "connectTimeoutMs", "maxIdleConnectionsPerLoop", "idleTimeoutMs");
        return cluster.build(c -> new ClusterConfig(
            c.string("name"),
            c.list("endpoints", e -> e.build(text -> Endpoint.parse(text.asString()))),
            c.integer("connectTimeoutMs", ClusterConfig.DEFAULT_CONNECT_TIMEOUT_MS, 1, 600_000),
            c.integer("maxIdleConnectionsPerLoop", ClusterConfig.DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP, 0, 100_000),
            c.longInteger("idleTimeoutMs", ClusterConfig.DEFAULT_IDLE_TIMEOUT_MS, 1, 86_400_000L)));
    }

    private static String defaultNodeId()
    {
        try
        {
            final String host = InetAddress.getLocalHost().getHostName();
            final int dot = host.indexOf('.');
            final String id = (dot > 0 ? host.substring(0, dot) : host).replaceAll("[^A-Za-z0-9._-]", "-");
            return id.isEmpty() || !Character.isLetterOrDigit(id.charAt(0)) ? "mecmesh-node" : id;
        }
        catch (final UnknownHostException ex)
        {
            return "mecmesh-node";
        }
    }
}
