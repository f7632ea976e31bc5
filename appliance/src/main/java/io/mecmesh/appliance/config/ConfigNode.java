package io.mecmesh.appliance.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.mecmesh.appliance.ApplianceException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A node of a parsed configuration file that knows its key path, so that every error names the file, the path and
 * what was expected: {@code appliance.yaml: dataplane.listeners[0].port: expected an integer from 0 to 65535, got
 * "abc"}.
 */
final class ConfigNode
{
    /** A validation message that starts with the key path it is about: {@code routes[1].cluster: ...}. */
    private static final Pattern KEYED_MESSAGE =
        Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\[\\d+])*(\\.[A-Za-z][A-Za-z0-9]*(\\[\\d+])*)*: ");

    private final String file;
    private final String path;
    private final JsonNode node;
    private final Path baseDir;

    private ConfigNode(final String file, final String path, final JsonNode node, final Path baseDir)
    {
        this.file = file;
        this.path = path;
        this.node = node;
        this.baseDir = baseDir;
    }

    static ConfigNode root(final String file, final JsonNode node, final Path baseDir)
    {
        return new ConfigNode(file, "", node, baseDir);
    }

    /**
     * @param key a key whose value is a file path.
     * @return the path; a relative one is relative to the configuration file's directory.
     */
    Path file(final String key)
    {
        final ConfigNode child = get(key);
        if (!child.isPresent())
        {
            throw child.error("missing (expected a file path)");
        }
        if (!child.node.isTextual() || child.node.asText().isBlank())
        {
            throw child.error("expected a file path (a string), got " + describe(child.node));
        }
        return baseDir.resolve(child.node.asText());
    }

    String path()
    {
        return path;
    }

    /**
     * @return the node as parsed (for sections another parser reads), or null when absent.
     */
    JsonNode json()
    {
        return node;
    }

    boolean isPresent()
    {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    /**
     * Fails unless this is a mapping whose keys are all among the allowed ones.
     *
     * @param allowed the keys this mapping may have.
     * @return this node.
     */
    ConfigNode requireMapping(final String... allowed)
    {
        if (!isPresent())
        {
            return this;
        }
        if (!node.isObject())
        {
            throw error("expected a mapping with keys " + String.join(", ", allowed) + ", got " + describe(node));
        }
        final Set<String> keys = new TreeSet<>(Arrays.asList(allowed));
        final Iterator<String> names = node.fieldNames();
        while (names.hasNext())
        {
            final String name = names.next();
            if (!keys.contains(name))
            {
                throw new ConfigNode(file, join(name), node.get(name), baseDir)
                    .error("unknown key (expected one of: " + String.join(", ", keys) + ")");
            }
        }
        return this;
    }

    ConfigNode get(final String key)
    {
        return new ConfigNode(file, join(key), isPresent() ? node.get(key) : null, baseDir);
    }

    String string(final String key)
    {
        final ConfigNode child = get(key);
        if (!child.isPresent())
        {
            throw child.error("missing (expected a string)");
        }
        return child.asString();
    }

    String string(final String key, final String defaultValue)
    {
        final ConfigNode child = get(key);
        return child.isPresent() ? child.asString() : defaultValue;
    }

    boolean isScalar()
    {
        return isPresent() && node.isValueNode();
    }

    String asString()
    {
        if (!node.isTextual() && !node.isNumber())
        {
            throw error("expected a string, got " + describe(node));
        }
        return node.asText();
    }

    int requiredInteger(final String key, final int min, final int max)
    {
        final ConfigNode child = get(key);
        if (!child.isPresent())
        {
            throw child.error("missing (expected an integer from " + min + " to " + max + ")");
        }
        return integer(key, 0, min, max);
    }

    int integer(final String key, final int defaultValue, final int min, final int max)
    {
        return (int)longInteger(key, defaultValue, min, max);
    }

    long longInteger(final String key, final long defaultValue, final long min, final long max)
    {
        final ConfigNode child = get(key);
        if (!child.isPresent())
        {
            return defaultValue;
        }
        final JsonNode value = child.node;
        final String expected = "expected an integer from " + min + " to " + max;
        if (!value.isIntegralNumber() || !value.canConvertToLong())
        {
            throw child.error(expected + ", got " + describe(value));
        }
        final long number = value.asLong();
        if (number < min || number > max)
        {
            throw child.error(expected + ", got " + number);
        }
        return number;
    }

    double decimal(final String key, final double defaultValue, final double min, final double max)
    {
        final ConfigNode child = get(key);
        if (!child.isPresent())
        {
            return defaultValue;
        }
        final String expected = "expected a number from " + min + " to " + max;
        if (!child.node.isNumber())
        {
            throw child.error(expected + ", got " + describe(child.node));
        }
        final double number = child.node.asDouble();
        if (number < min || number > max)
        {
            throw child.error(expected + ", got " + number);
        }
        return number;
    }

    boolean bool(final String key, final boolean defaultValue)
    {
        final ConfigNode child = get(key);
        if (!child.isPresent())
        {
            return defaultValue;
        }
        if (!child.node.isBoolean())
        {
            throw child.error("expected true or false, got " + describe(child.node));
        }
        return child.node.asBoolean();
    }

    /**
     * @param key a mapping of strings to strings.
     * @return its entries in file order; empty when absent.
     */
    java.util.Map<String, String> stringMap(final String key)
    {
        final ConfigNode child = get(key);
        final java.util.Map<String, String> result = new java.util.LinkedHashMap<>();
        if (!child.isPresent())
        {
            return result;
        }
        if (!child.node.isObject())
        {
            throw child.error("expected a mapping of names to values, got " + describe(child.node));
        }
        final Iterator<String> names = child.node.fieldNames();
        while (names.hasNext())
        {
            final String name = names.next();
            result.put(name, child.get(name).asString());
        }
        return result;
    }

    /**
     * @param names keys of which at most one may be present.
     * @return the one present, or {@code null} when none is.
     */
    String oneOf(final String... names)
    {
        String found = null;
        for (final String name : names)
        {
            if (get(name).isPresent())
            {
                if (found != null)
                {
                    throw get(name).error("conflicts with " + found + " (give only one of: "
                        + String.join(", ", names) + ")");
                }
                found = name;
            }
        }
        return found;
    }

    <E extends Enum<E>> E enumValue(final String key, final Class<E> type, final E defaultValue)
    {
        final ConfigNode child = get(key);
        if (!child.isPresent())
        {
            return defaultValue;
        }
        final String text = child.asString();
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equalsIgnoreCase(text.replace('-', '_')))
            {
                return constant;
            }
        }
        final List<String> names = new ArrayList<>();
        for (final E constant : type.getEnumConstants())
        {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        throw child.error("expected one of " + String.join(", ", names) + ", got \"" + text + "\"");
    }

    /**
     * Maps every element of a sequence, each with its own path ({@code key[i]}).
     *
     * @param key    the sequence's key.
     * @param mapper maps one element.
     * @param <T>    the element type.
     * @return the mapped elements; empty when the key is absent.
     */
    <T> List<T> list(final String key, final Function<ConfigNode, T> mapper)
    {
        final ConfigNode child = get(key);
        if (!child.isPresent())
        {
            return List.of();
        }
        if (!child.node.isArray())
        {
            throw child.error("expected a sequence, got " + describe(child.node));
        }
        final List<T> result = new ArrayList<>();
        for (int i = 0; i < child.node.size(); i++)
        {
            result.add(mapper.apply(new ConfigNode(file, child.path + "[" + i + "]", child.node.get(i), baseDir)));
        }
        return result;
    }

    /**
     * Builds a record, turning the validation error of its compact constructor into an error at this path.
     *
     * @param builder builds the record from this node.
     * @param <T>     the record type.
     * @return the record.
     */
    <T> T build(final Function<ConfigNode, T> builder)
    {
        try
        {
            return builder.apply(this);
        }
        catch (final IllegalArgumentException ex)
        {
            final String message = String.valueOf(ex.getMessage());
            final String where = KEYED_MESSAGE.matcher(message).lookingAt() ? join(message)
                : (path.isEmpty() ? message : path + ": " + message);
            throw new ApplianceException(ApplianceException.Category.CONFIG, file + ": " + where, ex);
        }
    }

    ApplianceException error(final String message)
    {
        return new ApplianceException(ApplianceException.Category.CONFIG,
            file + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    private String join(final String key)
    {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String describe(final JsonNode value)
    {
        if (value == null || value.isNull() || value.isMissingNode())
        {
            return "nothing";
        }
        if (value.isObject())
        {
            return "a mapping";
        }
        if (value.isArray())
        {
            return "a sequence";
        }
        if (value.isTextual())
        {
            return "\"" + value.asText() + "\"";
        }
        return value.toString();
    }
}
