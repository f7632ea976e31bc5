package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ETSI MEC 011 schemas in {@code <repo>/../shared/etsi} (v2.1.1: enums and shapes; the notes there say why not
 * v3.1.1), validated with networknt's JSON-schema validator (draft 2020-12, the files' dialect): each named schema
 * is the files' {@code components} with a {@code $ref} to it, so that references resolve as in the file.
 */
final class EtsiSchemas
{
    static final String APP_SUPPORT = "MecAppSupportApi.yaml";
    static final String SERVICE_MGMT = "MecServiceMgmtApi.yaml";
    /** v3.1.1 service management: for what v2.1.1 lacks (ServiceLivenessInfo, the SUSPENDED state). */
    static final String SERVICE_MGMT_V3 = "../v3.1.1/MecServiceMgmtApi.yaml";
    /** v3.1.1 application support: for what v2.1.1 lacks (AppInfo of {@code /registrations}). */
    static final String APP_SUPPORT_V3 = "../v3.1.1/MecAppSupportApi.yaml";
    /** MEC 015 v2.1.1 bandwidth management (BwInfo, BwInfoDeltas, ProblemDetails). */
    static final String BWM = "../../mec015/v2.1.1/BwManagementApi.yaml";

    private static final Path DIRECTORY = Path.of(System.getProperty("user.dir"))
        .resolve("../../shared/etsi/mec011/v2.1.1").normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> CACHE = new ConcurrentHashMap<>();

    private EtsiSchemas()
    {
    }

    /**
     * @param file   {@link #APP_SUPPORT} or {@link #SERVICE_MGMT}.
     * @param name   a schema of its {@code components.schemas}, e.g. {@code TrafficRule}.
     * @param body   a JSON document.
     * @return the violations, empty if the body is valid.
     */
    static List<Error> validate(final String file, final String name, final String body)
    {
        return CACHE.computeIfAbsent(file + "#" + name, key -> schema(file, name)).validate(body, InputFormat.JSON);
    }

    /**
     * @param file a file, as for {@link #validate}.
     * @param name the array's item schema.
     * @param body a JSON array.
     * @return the violations of every item, empty if all are valid.
     */
    static List<Error> validateArray(final String file, final String name, final String body)
    {
        final String arrayName = name + "[]";
        return CACHE.computeIfAbsent(file + "#" + arrayName, key -> schema(file, arrayName))
            .validate(body, InputFormat.JSON);
    }

    private static Schema schema(final String file, final String name)
    {
        try
        {
            final JsonNode spec = YAML.readTree(Files.readString(DIRECTORY.resolve(file)));
            final ObjectNode root = JSON.createObjectNode();
            root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            if (name.endsWith("[]"))
            {
                root.put("type", "array");
                root.putObject("items").put("$ref", "#/components/schemas/" + name.substring(0, name.length() - 2));
            }
            else
            {
                if (!spec.path("components").path("schemas").has(name))
                {
                    throw new IllegalArgumentException(file + " has no schema " + name);
                }
                root.put("$ref", "#/components/schemas/" + name);
            }
            root.set("components", spec.get("components"));
            return REGISTRY.getSchema(JSON.writeValueAsString(root), InputFormat.JSON);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + DIRECTORY.resolve(file), ex);
        }
    }
}
