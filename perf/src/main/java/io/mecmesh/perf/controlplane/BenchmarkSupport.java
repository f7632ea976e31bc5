package io.mecmesh.perf.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** What the control-plane benchmarks' command lines and temporary directories share. */
final class BenchmarkSupport
{
    private BenchmarkSupport()
    {
    }

    /**
     * @return the option's whole-number value, or {@code defaultValue} when absent.
     * @throws IllegalArgumentException naming the option when its value is not a whole number.
     */
    static int intOption(final Map<String, String> options, final String name, final int defaultValue)
    {
        final String value = options.get(name);
        try
        {
            return value == null ? defaultValue : Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + ": expected a whole number, got \"" + value + "\"", ex);
        }
    }

    /** Deletes a temporary directory and what it holds, as far as it can (best effort). */
    static void deleteRecursively(final Path directory)
    {
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // best effort: a temporary directory
        }
    }
}
