package io.mecmesh.appliance.telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the samples of a Prometheus text exposition (format 0.0.4, as {@code MetricsExport} writes it) into
 * {@link Series}: {@code name{label="value",...} value} per line, comments skipped. Reading the exposition rather
 * than the registry's snapshots gives exactly the series a scrape gives (histograms as {@code _bucket}, {@code _sum}
 * and {@code _count}, counters with {@code _total}), with no second mapping to keep in step. Extra labels (such as
 * {@code instance}) are added to every series; a series' own label of the same name wins. A label with an empty value
 * is left out: in Prometheus an empty value is the same as no label.
 */
final class ExpositionParser
{
    private ExpositionParser()
    {
    }

    /**
     * @param text        the exposition.
     * @param extraLabels labels added to every series.
     * @return its samples, in order.
     * @throws IllegalArgumentException naming the line that does not parse.
     */
    static List<Series> parse(final String text, final Map<String, String> extraLabels)
    {
        final List<Series> series = new ArrayList<>();
        int lineNumber = 0;
        for (final String line : text.split("\n"))
        {
            lineNumber++;
            if (line.isBlank() || line.charAt(0) == '#')
            {
                continue;
            }
            try
            {
                series.add(parseLine(line, extraLabels));
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException("exposition line " + lineNumber + " does not parse ("
                    + ex.getMessage() + "): " + line, ex);
            }
        }
        return series;
    }

    private static Series parseLine(final String line, final Map<String, String> extraLabels)
    {
        final Map<String, String> labels = new TreeMap<>(extraLabels);
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ')
        {
            i++;
        }
        labels.put("__name__", line.substring(0, i));
        if (i < line.length() && line.charAt(i) == '{')
        {
            i++;
            while (line.charAt(i) != '}')
            {
                final int equals = line.indexOf('=', i);
                final String name = line.substring(i, equals).trim();
                if (line.charAt(equals + 1) != '"')
                {
                    throw new IllegalArgumentException("label " + name + ": expected a quoted value");
                }
                final StringBuilder value = new StringBuilder();
                int j = equals + 2;
                for (char c = line.charAt(j); c != '"'; c = line.charAt(++j))
                {
                    if (c == '\\')
                    {
                        final char escaped = line.charAt(++j);
                        value.append(escaped == 'n' ? '\n' : escaped);
                    }
                    else
                    {
                        value.append(c);
                    }
                }
                if (value.length() > 0)
                {
                    labels.put(name, value.toString());
                }
                i = j + 1;
                if (line.charAt(i) == ',')
                {
                    i++;
                }
            }
            i++;
        }
        final String[] rest = line.substring(i).trim().split(" ");
        final List<String> flat = new ArrayList<>(labels.size() * 2);
        labels.forEach((name, value) ->
        {
            flat.add(name);
            flat.add(value);
        });
        return new Series(flat, value(rest[0]));
    }

    private static double value(final String text)
    {
        return switch (text)
        {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
