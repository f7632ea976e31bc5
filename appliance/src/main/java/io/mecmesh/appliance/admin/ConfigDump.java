package io.mecmesh.appliance.admin;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.mecmesh.dataplane.route.RouteAction;

/**
 * How {@code /config_dump} renders the running configuration: the data plane's records as JSON, a route action
 * tagged with its kind ({@code "type": "Forward"}).
 */
final class ConfigDump
{
    static final ObjectMapper JSON = new ObjectMapper()
        .registerModule(new Jdk8Module())
        .enable(SerializationFeature.INDENT_OUTPUT)
        .addMixIn(RouteAction.class, TaggedAction.class);

    private ConfigDump()
    {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
    private interface TaggedAction
    {
    }
}
