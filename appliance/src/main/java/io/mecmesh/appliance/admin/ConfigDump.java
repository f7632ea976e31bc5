package io.mecmesh.appliance.admin;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.mecmesh.dataplane.classify.SourcePrefix;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.tls.TlsConfig;

/**
 * How {@code /config_dump} renders the running configuration: the data plane's records as JSON, a route action
 * tagged with its kind ({@code "type": "Forward"}). TLS shows its files (for the node identity, where
 * it is persisted) and its mode; the live material behind a hot-swapped context (keys) is never rendered.
 */
final class ConfigDump
{
    static final ObjectMapper JSON = new ObjectMapper()
        .registerModule(new Jdk8Module())
        .enable(SerializationFeature.INDENT_OUTPUT)
        .addMixIn(RouteAction.class, TaggedAction.class)
        .addMixIn(TlsConfig.class, TlsWithoutMaterial.class)
        // A classification rule's prefixes (no bean properties): as their text, 10.45.0.0/16.
        .registerModule(new SimpleModule().addSerializer(SourcePrefix.class, ToStringSerializer.instance));

    private ConfigDump()
    {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
    private interface TaggedAction
    {
    }

    /** The live key material source is neither data nor serialisable: left out. */
    private interface TlsWithoutMaterial
    {
        @JsonIgnore
        Object source();

        @JsonIgnore
        boolean isNodeIdentity();
    }
}
