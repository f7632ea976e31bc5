package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A named schema of an ETSI MEC 011 v2.1.1 file in {@code <repo>/../shared/etsi} (the conformance tests' own copy of
 * {@code mec-api-adapter}'s test helper, which this module cannot depend on without an installed test jar).
 */
final class EtsiSchema
{
    static final String APP_SUPPORT = "MecAppSupportApi.yaml";
    static final String SERVICE_MGMT = "MecServiceMgmtApi.yaml";
    /** v3.1.1 service management: for what v2.1.1 lacks (ServiceLivenessInfo, ServiceLivenessUpdate). */
    static final String SERVICE_MGMT_V3 = "../v3.1.1/MecServiceMgmtApi.yaml";
    /** v3.1.1 application support: for what v2.1.1 lacks (AppInfo of {@code /registrations}). */
    static final String APP_SUPPORT_V3 = "../v3.1.1/MecAppSupportApi.yaml";

    private static final Path DIRECTORY = Path.of(System.getProperty("user.dir"))
        .resolve("../../shared/etsi/mec011/v2.1.1").normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private EtsiSchema()
    {
    }

    /**
     * @return the violations of {@code body} against schema {@code name} of {@code file}, as text; empty if valid.
     */
    static List<String> violations(final String file, final String name, final String body)
    {
        try
        {
            final JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(DIRECTORY.resolve(file)));
            final ObjectNode root = JSON.createObjectNode().put("$schema",
                "https://json-schema.org/draft/2020-12/schema").put("$ref", "#/components/schemas/" + name);
            root.set("components", spec.get("components"));
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(JSON.writeValueAsString(root), InputFormat.JSON).validate(body, InputFormat.JSON).stream()
                .map(Object::toString).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the violations of each element of the JSON array {@code body} against schema {@code name} of
     *     {@code file} (the standard's lists are arrays of a named schema), or one violation if it is no array.
     */
    static List<String> violationsOfEach(final String file, final String name, final String body)
    {
        try
        {
            final JsonNode array = JSON.readTree(body);
            if (!array.isArray())
            {
                return List.of("not a JSON array: " + body);
            }
            final List<String> violations = new java.util.ArrayList<>();
            for (int i = 0; i < array.size(); i++)
            {
                final int index = i;
                violations(file, name, array.get(i).toString()).forEach(v -> violations.add("[" + index + "] " + v));
            }
            return violations;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
