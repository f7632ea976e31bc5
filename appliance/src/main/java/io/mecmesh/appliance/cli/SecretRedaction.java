package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Takes secrets out of a configuration tree (appliance.yaml or {@code /config_dump}) before it leaves the host in a
 * support bundle, and remembers each value it took so that the same text can be scrubbed from everything else in the
 * bundle (metrics, log lines). Redacted, replaced by {@value #REDACTED}:
 * <ul>
 *   <li>the scalar value of a key whose name says secret: it contains {@code password}, {@code passwd},
 *   {@code passphrase}, {@code secret}, {@code token}, {@code credential}, {@code authorization}, {@code cookie},
 *   or ends in {@code key} ({@code apiKey}, {@code x-api-key}); except names ending in {@code File},
 *   {@code Directory} or {@code Path}, and TLS's {@code privateKey}, whose values are file names (the files
 *   themselves are never collected).
 *   This covers header values in {@code requestHeaders.set} / {@code responseHeaders.set} such as
 *   {@code authorization: "Bearer ..."};</li>
 *   <li>the {@code exact}, {@code regex} and {@code value} of a header match whose {@code name} says secret;</li>
 *   <li>the user-info of a URL ({@code https://user:pass@host/} becomes {@code https://REDACTED@host/}).</li>
 * </ul>
 * A mapping or list under such a key (a route's {@code authorization} policy) is walked, not dropped.
 */
final class SecretRedaction
{
    static final String REDACTED = "REDACTED";
    private static final List<String> SECRET_WORDS = List.of("password", "passwd", "passphrase", "secret", "token",
        "credential", "authorization", "cookie");
    private static final List<String> FILE_SUFFIXES = List.of("file", "directory", "path");
    /** TLS settings that name a PEM file although their names say key. */
    private static final Set<String> FILE_KEYS = Set.of("privatekey");
    private static final Set<String> MATCH_VALUES = Set.of("exact", "regex", "value");
    private static final Pattern URL_USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)([^/@\\s]+)@");
    /** Shorter values are not scrubbed from other files: "on" or "1" would blank half of a metrics page. */
    private static final int MIN_SCRUBBED_CHARS = 4;

    private final Set<String> taken = new TreeSet<>();
    private final List<String> paths = new ArrayList<>();

    /**
     * Redacts a tree in place.
     *
     * @param tree   the tree (its object nodes are changed).
     * @param source what to name the tree by in {@link #redactedPaths()} (its file in the bundle).
     * @return the same tree.
     */
    JsonNode redact(final JsonNode tree, final String source)
    {
        requireNonNull(tree, "tree");
        requireNonNull(source, "source");
        walk(tree, source + ": ");
        return tree;
    }

    /**
     * @param text any text that goes into the bundle.
     * @return the text with every value redacted so far replaced.
     */
    String scrub(final String text)
    {
        requireNonNull(text, "text");
        String scrubbed = text;
        for (final String secret : taken)
        {
            if (secret.length() >= MIN_SCRUBBED_CHARS)
            {
                scrubbed = scrubbed.replace(secret, REDACTED);
            }
        }
        return redactUrls(scrubbed);
    }

    /**
     * @return the key paths redacted so far, for the bundle's manifest (names only, never values).
     */
    List<String> redactedPaths()
    {
        return List.copyOf(paths);
    }

    static boolean isSecretName(final String name)
    {
        final String lower = name.toLowerCase(Locale.ROOT);
        if (FILE_KEYS.contains(lower))
        {
            return false;
        }
        for (final String suffix : FILE_SUFFIXES)
        {
            if (lower.endsWith(suffix))
            {
                return false;
            }
        }
        if (lower.endsWith("key"))
        {
            return true;
        }
        for (final String word : SECRET_WORDS)
        {
            if (lower.contains(word))
            {
                return true;
            }
        }
        return false;
    }

    private void walk(final JsonNode node, final String path)
    {
        if (node instanceof ObjectNode object)
        {
            final boolean secretMatch = object.path("name").isTextual() && isSecretName(object.path("name").asText());
            final List<String> toRedact = new ArrayList<>();
            final List<String> urls = new ArrayList<>();
            for (final Map.Entry<String, JsonNode> field : object.properties())
            {
                final JsonNode value = field.getValue();
                final String childPath = path.endsWith(" ") ? path + field.getKey() : path + "." + field.getKey();
                if (value.isValueNode() && !value.isNull()
                    && (isSecretName(field.getKey()) || secretMatch && MATCH_VALUES.contains(field.getKey())))
                {
                    toRedact.add(field.getKey());
                    paths.add(childPath);
                }
                else if (value.isTextual() && URL_USER_INFO.matcher(value.asText()).find())
                {
                    final Matcher userInfo = URL_USER_INFO.matcher(value.asText());
                    while (userInfo.find())
                    {
                        taken.add(userInfo.group(2));
                    }
                    urls.add(field.getKey());
                    paths.add(childPath + " (URL user-info)");
                }
                else
                {
                    walk(value, childPath);
                }
            }
            for (final String key : urls)
            {
                object.set(key, TextNode.valueOf(redactUrls(object.get(key).asText())));
            }
            for (final String key : toRedact)
            {
                taken.add(object.get(key).asText());
                object.set(key, TextNode.valueOf(REDACTED));
            }
        }
        else if (node instanceof ArrayNode array)
        {
            for (int i = 0; i < array.size(); i++)
            {
                walk(array.get(i), path + "[" + i + "]");
            }
        }
    }

    private static String redactUrls(final String text)
    {
        return URL_USER_INFO.matcher(text).replaceAll("$1" + REDACTED + "@");
    }
}
