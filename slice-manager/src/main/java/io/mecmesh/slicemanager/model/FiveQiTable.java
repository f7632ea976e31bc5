package io.mecmesh.slicemanager.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The 5QI values a slice may use: the standardized rows of TS 23.501 Table 5.7.4-1 (shipped as the resource
 * {@code 5qi.csv} next to this class) plus the operator's rows. Immutable; {@link #with(FiveQi)} returns a new table.
 *
 * <p>Operator rows either define a new value in the operator-specific range 128-254, or override a standardized row
 * (the standard lets the network signal other characteristics, and some shipped rows are marked unverified).
 */
public final class FiveQiTable
{
    /** First operator-specific 5QI value. */
    public static final int FIRST_OPERATOR_VALUE = 128;
    /** Last operator-specific 5QI value. */
    public static final int LAST_OPERATOR_VALUE = 254;

    private static final String RESOURCE = "5qi.csv";
    private static final FiveQiTable STANDARD = load();

    private final SortedMap<Integer, FiveQi> rows;

    private FiveQiTable(final SortedMap<Integer, FiveQi> rows)
    {
        this.rows = Collections.unmodifiableSortedMap(rows);
    }

    /**
     * The standardized rows only.
     *
     * @return the table of TS 23.501 Table 5.7.4-1.
     */
    public static FiveQiTable standard()
    {
        return STANDARD;
    }

    /**
     * This table with an operator row added or a standardized row overridden.
     *
     * @param row the row.
     * @return the new table.
     * @throws IllegalArgumentException if the row defines a value below 128 that the standard table does not have.
     */
    public FiveQiTable with(final FiveQi row)
    {
        requireNonNull(row, "row");
        if (row.value() < FIRST_OPERATOR_VALUE && !rows.containsKey(row.value()))
        {
            throw new IllegalArgumentException("value: 5QI " + row.value() + " is not a standardized value in this"
                + " table; operator-defined values are " + FIRST_OPERATOR_VALUE + " to " + LAST_OPERATOR_VALUE);
        }
        final SortedMap<Integer, FiveQi> copy = new TreeMap<>(rows);
        copy.put(row.value(), row);
        return new FiveQiTable(copy);
    }

    /**
     * A row.
     *
     * @param value the 5QI.
     * @return its row, or empty.
     */
    public Optional<FiveQi> find(final int value)
    {
        return Optional.ofNullable(rows.get(value));
    }

    /**
     * A row that must exist.
     *
     * @param value the 5QI.
     * @return its row.
     * @throws IllegalArgumentException naming the field {@code fiveQi} and the values known.
     */
    public FiveQi get(final int value)
    {
        final FiveQi row = rows.get(value);
        if (row == null)
        {
            throw new IllegalArgumentException("fiveQi: unknown 5QI " + value + " (known: " + rows.keySet()
                + "; operator rows may add " + FIRST_OPERATOR_VALUE + " to " + LAST_OPERATOR_VALUE + ")");
        }
        return row;
    }

    /**
     * Every row, by value.
     *
     * @return the rows.
     */
    public Collection<FiveQi> rows()
    {
        return rows.values();
    }

    private static FiveQiTable load()
    {
        final SortedMap<Integer, FiveQi> rows = new TreeMap<>();
        try (InputStream in = FiveQiTable.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the slice-manager jar");
            }
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNumber = 0;
            boolean header = true;
            while ((line = reader.readLine()) != null)
            {
                lineNumber++;
                if (line.isBlank() || line.startsWith("#"))
                {
                    continue;
                }
                if (header)
                {
                    header = false;
                    continue;
                }
                try
                {
                    final FiveQi row = parseRow(line);
                    rows.put(row.value(), row);
                }
                catch (final RuntimeException ex)
                {
                    throw new IllegalStateException(RESOURCE + " line " + lineNumber + ": " + ex.getMessage(), ex);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + RESOURCE, ex);
        }
        return new FiveQiTable(rows);
    }

    private static FiveQi parseRow(final String line)
    {
        // five_qi,resource_type,default_priority_level,packet_delay_budget_ms,packet_error_rate,
        // default_max_data_burst_bytes,example_services,verified
        final String[] cells = line.split(",", -1);
        if (cells.length != 8)
        {
            throw new IllegalArgumentException("expected 8 comma-separated cells, got " + cells.length);
        }
        final FiveQi.Origin origin = "yes".equals(cells[7].trim())
            ? FiveQi.Origin.STANDARD : FiveQi.Origin.STANDARD_UNVERIFIED;
        return new FiveQi(
            Integer.parseInt(cells[0].trim()),
            ResourceType.parse(cells[1]),
            Integer.parseInt(cells[2].trim()),
            Integer.parseInt(cells[3].trim()),
            Double.parseDouble(cells[4].trim()),
            cells[5].isBlank() ? 0 : Integer.parseInt(cells[5].trim()),
            cells[6].trim(),
            origin);
    }
}
