package io.mecmesh.dataplane.accesslog;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static java.util.Objects.requireNonNull;

/**
 * The side table of the names an access-log record refers to by id (callers' SPIFFE ids, route names, endpoints),
 * so that a record holds no String. A name is given an id the first time it is seen (one map entry, once); later
 * lookups of the same String allocate nothing. Ids start at 1 (0 means none) and are never reused; when the table is
 * full, new names get id 0. Thread-safe: event loops intern, the access-log agent resolves.
 */
public final class AccessLogNames
{
    /** The most distinct names kept. */
    public static final int CAPACITY = 65_536;

    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<String> names = new AtomicReferenceArray<>(CAPACITY);
    private int next = 1;

    /**
     * @param name a caller, route or endpoint name.
     * @return its id, 0 when the table is full.
     */
    public int intern(final String name)
    {
        requireNonNull(name, "name");
        final Integer id = ids.get(name);
        if (id != null)
        {
            return id;
        }
        return internNew(name);
    }

    private synchronized int internNew(final String name)
    {
        final Integer id = ids.get(name);
        if (id != null)
        {
            return id;
        }
        if (next >= CAPACITY)
        {
            return 0;
        }
        final int assigned = next++;
        names.set(assigned, name);
        ids.put(name, assigned);
        return assigned;
    }

    /**
     * @param id an id from {@link #intern(String)}.
     * @return its name, the empty string for 0 or an unknown id.
     */
    public String name(final int id)
    {
        if (id <= 0 || id >= CAPACITY)
        {
            return "";
        }
        final String name = names.get(id);
        return name == null ? "" : name;
    }
}
