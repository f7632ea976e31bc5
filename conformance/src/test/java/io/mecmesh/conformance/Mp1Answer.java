package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One answer of the MEC API to an application's curl call (mutual TLS with its X.509-SVID): status, body, content
 * type and the headers the DEC 032-3 test purposes look at ({@code ETag}, {@code Location}).
 *
 * @param status      the HTTP status.
 * @param body        the body ("" for none).
 * @param contentType the Content-Type ("" for none).
 * @param etag        the ETag header ("" for none).
 * @param location    the Location header ("" for none).
 */
record Mp1Answer(int status, String body, String contentType, String etag, String location)
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CT = "#mp1:ct=";
    private static final String ETAG = "#mp1:etag=";
    private static final String LOCATION = "#mp1:location=";
    private static final String WRITE_OUT = "\n" + CT + "%{content_type}" + ETAG + "%header{etag}" + LOCATION
        + "%header{location}";

    /**
     * Calls the MEC API as {@code identity}.
     *
     * @param dir      the test's directory.
     * @param identity the application's SVID.
     * @param mecPort  the MEC API's port.
     * @param method   the HTTP method.
     * @param path     the path (and query) after the port.
     * @param body     a JSON body, or null for none.
     * @param headers  extra request headers ({@code "If-Match: ..."}).
     * @return the answer.
     */
    static Mp1Answer call(final Path dir, final Pki.Identity identity, final int mecPort, final String method,
        final String path, final String body, final String... headers)
    {
        final String answer = MecAppliance.call(dir, identity, mecPort, method, path, body, List.of(headers),
            WRITE_OUT);
        final int space = answer.indexOf(' ');
        final String rest = answer.substring(space + 1);
        final int ct = rest.lastIndexOf(CT);
        final int etag = rest.lastIndexOf(ETAG);
        final int location = rest.lastIndexOf(LOCATION);
        assertThat(ct).as("curl's write-out in " + answer).isNotNegative().isLessThan(etag).isLessThan(location);
        return new Mp1Answer(Integer.parseInt(answer.substring(0, space)), rest.substring(0, ct).trim(),
            rest.substring(ct + CT.length(), etag).trim(), rest.substring(etag + ETAG.length(), location).trim(),
            rest.substring(location + LOCATION.length()).trim());
    }

    /** @return the body as JSON. */
    JsonNode json()
    {
        try
        {
            return JSON.readTree(body);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("not JSON: " + this, ex);
        }
    }

    /** Asserts a 200/201 {@code application/json} answer whose body is valid against schema {@code name}. */
    Mp1Answer assertJson(final int expected, final String file, final String name)
    {
        assertThat(status).as(toString()).isEqualTo(expected);
        assertThat(contentType).as(toString()).startsWith("application/json");
        assertThat(EtsiSchema.violations(file, name, body)).as(toString()).isEmpty();
        return this;
    }

    /** Asserts a 200 {@code application/json} array whose every element is valid against schema {@code name}. */
    Mp1Answer assertJsonArray(final String file, final String name)
    {
        assertThat(status).as(toString()).isEqualTo(200);
        assertThat(contentType).as(toString()).startsWith("application/json");
        assertThat(EtsiSchema.violationsOfEach(file, name, body)).as(toString()).isEmpty();
        return this;
    }

    /** Asserts an error answered as a valid {@code application/problem+json} ProblemDetails with that status. */
    Mp1Answer assertProblem(final int expected)
    {
        assertThat(status).as(toString()).isEqualTo(expected);
        assertThat(contentType).as(toString()).startsWith("application/problem+json");
        assertThat(EtsiSchema.violations(EtsiSchema.APP_SUPPORT, "ProblemDetails", body)).as(toString()).isEmpty();
        assertThat(json().path("status").asInt()).as(toString()).isEqualTo(expected);
        return this;
    }
}
