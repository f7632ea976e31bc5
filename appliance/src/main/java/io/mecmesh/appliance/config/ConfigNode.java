package io.mecmesh.appliance.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.mecmesh.appliance.ApplianceException;

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

    private ConfigNode(final String file, final String path, final JsonNode node)
    {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    static ConfigNode root(final String file, final JsonNode node)
    {
        return new ConfigNode(file, "", node);
    }

    String path()
    {
        return path;
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
                throw new ConfigNode(file, join(name), node.get(name))
                    .error("unknown key (expected one of: " + String.join(", ", keys) + ")");
            }
        }
        return this;
    }

    ConfigNode get(final String key)
    {
        return new ConfigNode(file, join(key), isPresent() ? node.get(key) : null);
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
            result.add(mapper.apply(new ConfigNode(file, child.path + "[" + i + "]", child.node.get(i))));
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
