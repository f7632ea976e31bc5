package io.mecmesh.appliance.telemetry;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One sample of one time series: its labels ({@code __name__} included), sorted by name as remote-write requires.
 *
 * @param labels the labels, name and value alternating: {@code [name0, value0, name1, value1, ...]}, sorted by name.
 * @param value  the sample's value.
 */
record Series(List<String> labels, double value)
{
    Series
    {
        labels = List.copyOf(requireNonNull(labels, "labels"));
        if (labels.size() % 2 != 0)
        {
            throw new IllegalArgumentException("labels: names and values alternate, got " + labels.size() + " items");
        }
    }
}
