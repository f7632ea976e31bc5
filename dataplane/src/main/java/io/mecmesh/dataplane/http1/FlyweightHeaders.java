package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header fields of a decoded HTTP/1.1 head, as a reusable view over the head's bytes: the decoder copies the
 * head once into {@link #bytes()} and records each field's name and value as offsets into it. Names compare
 * case-insensitively as bytes, with no allocation.
 *
 * <pre>
 *   entry i: slots[4i] name offset | slots[4i+1] name length | slots[4i+2] value offset | slots[4i+3] value length
 *            name length -1: removed (a tombstone); name offset -1: an added field, its name and value in
 *            addedNames[i] and addedValues[i] (CharSequences, never copied)
 * </pre>
 *
 * {@code remove} tombstones entries; {@code add} and {@code set} append entries whose value is a
 * {@link CharSequence} (an {@link AsciiString} built from configuration costs nothing per request). The whole
 * {@link HttpHeaders} API works: methods returning {@code String}s, lists or iterators allocate (off the hot path);
 * the hot path uses {@link #indexOf}, {@link #contains(CharSequence)}, {@link #containsValue},
 * {@link #valueEquals}, {@link #valueStartsWith}, {@link #valueHashIgnoreCase}, {@link #count} and
 * {@link #contentLength}, which allocate nothing. {@link #copy()} returns a {@link DefaultHttpHeaders}.
 *
 * <p>Owned by one pooled message and confined to its event loop; {@link #clear()} resets it for reuse.
 */
public final class FlyweightHeaders extends HttpHeaders implements HeaderFields
{
    private static final int SLOTS = 4;
    private static final int INITIAL_ENTRIES = 16;

    private byte[] bytes;
    private int length;
    private int[] slots = new int[INITIAL_ENTRIES * SLOTS];
    private CharSequence[] addedNames = new CharSequence[INITIAL_ENTRIES];
    private CharSequence[] addedValues = new CharSequence[INITIAL_ENTRIES];
    private int entries;
    private int live;

    /**
     * @param capacity the head bytes the view can hold before it grows.
     */
    FlyweightHeaders(final int capacity)
    {
        bytes = new byte[capacity];
    }

    /** An empty view, for building heads by hand (tests, the encoder's byte-exact checks). */
    public FlyweightHeaders()
    {
        this(256);
    }

    /**
     * @return the head bytes the offsets point into (valid up to {@link #bytesLength()}).
     */
    public byte[] bytes()
    {
        return bytes;
    }

    /**
     * @return how many bytes of {@link #bytes()} hold the head.
     */
    public int bytesLength()
    {
        return length;
    }

    /**
     * Copies bytes of a head into this view's array, replacing what it held, and forgets every entry.
     *
     * @param source the buffer.
     * @param index  where the head starts in it.
     * @param count  how many bytes.
     */
    void wrap(final ByteBuf source, final int index, final int count)
    {
        if (bytes.length < count)
        {
            bytes = new byte[Math.max(count, bytes.length * 2)];
        }
        source.getBytes(index, bytes, 0, count);
        length = count;
        clearEntries();
    }

    /**
     * Records a field whose name and value are in {@link #bytes()}.
     */
    void addBytes(final int nameOffset, final int nameLength, final int valueOffset, final int valueLength)
    {
        final int i = newEntry();
        slots[i * SLOTS] = nameOffset;
        slots[i * SLOTS + 1] = nameLength;
        slots[i * SLOTS + 2] = valueOffset;
        slots[i * SLOTS + 3] = valueLength;
    }

    /**
     * Makes the value of the last entry longer (an obs-fold continuation moved next to it by the decoder).
     */
    void extendLastValue(final int newLength)
    {
        slots[(entries - 1) * SLOTS + 3] = newLength;
    }

    /**
     * @return the end, in {@link #bytes()}, of the last entry's value; -1 when there is none or it was added.
     */
    int lastValueEnd()
    {
        if (entries == 0 || slots[(entries - 1) * SLOTS] < 0 || slots[(entries - 1) * SLOTS + 1] < 0)
        {
            return -1;
        }
        return slots[(entries - 1) * SLOTS + 2] + slots[(entries - 1) * SLOTS + 3];
    }

    /**
     * @return the index of the last entry (removed or not), -1 when there is none.
     */
    int lastIndex()
    {
        return entries - 1;
    }

    /**
     * @param entry an entry index.
     * @return its name as a string (allocates).
     */
    public String nameString(final int entry)
    {
        return nameAt(entry);
    }

    private int newEntry()
    {
        if (entries == addedNames.length)
        {
            final int capacity = entries * 2;
            slots = Arrays.copyOf(slots, capacity * SLOTS);
            addedNames = Arrays.copyOf(addedNames, capacity);
            addedValues = Arrays.copyOf(addedValues, capacity);
        }
        live++;
        return entries++;
    }

    private void clearEntries()
    {
        for (int i = 0; i < entries; i++)
        {
            addedNames[i] = null;
            addedValues[i] = null;
        }
        entries = 0;
        live = 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Zero-allocation accessors
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @param name a field name (any case).
     * @param from the first entry to look at.
     * @return the index of the next field of that name at or after {@code from}, or -1.
     */
    @Override
    public int indexOf(final CharSequence name, final int from)
    {
        for (int i = from; i < entries; i++)
        {
            if (isLive(i) && nameEquals(i, name))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param name a field name.
     * @return how many fields have that name.
     */
    @Override
    public int count(final CharSequence name)
    {
        int count = 0;
        for (int i = 0; i < entries; i++)
        {
            if (isLive(i) && nameEquals(i, name))
            {
                count++;
            }
        }
        return count;
    }

    /**
     * @param entry an entry index from {@link #indexOf}.
     * @param value the value to compare with.
     * @param ignoreCase whether ASCII case is ignored.
     * @return whether the entry's whole value equals {@code value}.
     */
    @Override
    public boolean valueEquals(final int entry, final CharSequence value, final boolean ignoreCase)
    {
        final int base = entry * SLOTS;
        if (slots[base] < 0)
        {
            return ignoreCase ? AsciiString.contentEqualsIgnoreCase(addedValues[entry], value)
                : AsciiString.contentEquals(addedValues[entry], value);
        }
        return regionEquals(slots[base + 2], slots[base + 3], value, 0, value.length(), ignoreCase);
    }

    /**
     * @param entry  an entry index from {@link #indexOf}.
     * @param prefix the prefix.
     * @return whether the entry's value starts with {@code prefix} (exact case).
     */
    public boolean valueStartsWith(final int entry, final CharSequence prefix)
    {
        final int base = entry * SLOTS;
        if (slots[base] < 0)
        {
            final CharSequence value = addedValues[entry];
            return value.length() >= prefix.length() && AsciiString.regionMatches(value, false, 0, prefix, 0,
                prefix.length());
        }
        return slots[base + 3] >= prefix.length()
            && regionEquals(slots[base + 2], prefix.length(), prefix, 0, prefix.length(), false);
    }

    /**
     * @param entry an entry index.
     * @return the hash of the entry's value with ASCII letters lower-cased, as {@link #hashIgnoreCase} computes it.
     */
    public int valueHashIgnoreCase(final int entry)
    {
        final int base = entry * SLOTS;
        if (slots[base] < 0)
        {
            return hashIgnoreCase(addedValues[entry]);
        }
        int hash = 0;
        final int end = slots[base + 2] + slots[base + 3];
        for (int i = slots[base + 2]; i < end; i++)
        {
            hash = 31 * hash + toLower(bytes[i] & 0xff);
        }
        return hash;
    }

    /**
     * @param text any text.
     * @return its hash with ASCII letters lower-cased (the same as {@link #valueHashIgnoreCase} on equal bytes).
     */
    public static int hashIgnoreCase(final CharSequence text)
    {
        int hash = 0;
        for (int i = 0; i < text.length(); i++)
        {
            hash = 31 * hash + toLower(text.charAt(i) & 0xff);
        }
        return hash;
    }

    /**
     * @param entry an entry index.
     * @return the length of its value.
     */
    @Override
    public int valueLength(final int entry)
    {
        final int base = entry * SLOTS;
        return slots[base] < 0 ? addedValues[entry].length() : slots[base + 3];
    }

    /**
     * @param entry an entry index.
     * @param index a position in its value.
     * @return the value's character there (a byte, 0 to 255).
     */
    @Override
    public int valueCharAt(final int entry, final int index)
    {
        final int base = entry * SLOTS;
        return slots[base] < 0 ? addedValues[entry].charAt(index) : bytes[slots[base + 2] + index] & 0xff;
    }

    /**
     * Views an entry's value without copying it.
     *
     * @param entry an entry index.
     * @param view  the view to wrap around it.
     * @return {@code view}.
     */
    @Override
    public TextFlyweight valueView(final int entry, final TextFlyweight view)
    {
        final int base = entry * SLOTS;
        return slots[base] < 0 ? view.wrap(addedValues[entry]) : view.wrap(bytes, slots[base + 2], slots[base + 3]);
    }

    /**
     * Views part of an entry's value without copying it.
     *
     * @param entry an entry index.
     * @param from  where the view starts in the value.
     * @param to    where it ends.
     * @param view  the view to wrap around it.
     * @return {@code view}.
     */
    @Override
    public TextFlyweight valueView(final int entry, final int from, final int to, final TextFlyweight view)
    {
        final int base = entry * SLOTS;
        return slots[base] < 0 ? view.wrap(addedValues[entry], from, to - from)
            : view.wrap(bytes, slots[base + 2] + from, to - from);
    }

    /**
     * @param entry an entry index.
     * @return the value as a string (allocates).
     */
    public String valueString(final int entry)
    {
        final int base = entry * SLOTS;
        return slots[base] < 0 ? addedValues[entry].toString()
            : new String(bytes, slots[base + 2], slots[base + 3], StandardCharsets.ISO_8859_1);
    }

    /**
     * @return these headers (they are Netty's {@code HttpHeaders} themselves).
     */
    @Override
    public HttpHeaders headers()
    {
        return this;
    }

    /**
     * @return the value of the one {@code Content-Length} field as a non-negative number of 1 to 18 digits, -1
     * when there is none, -2 when there are several or it is not such a number.
     */
    @Override
    public long contentLength()
    {
        return HeaderFields.contentLength(this);
    }

    /**
     * Writes every field as {@code name: value CRLF} (no allocation).
     *
     * @param out where the fields go.
     */
    public void encode(final ByteBuf out)
    {
        for (int i = 0; i < entries; i++)
        {
            final int base = i * SLOTS;
            if (slots[base + 1] < 0)
            {
                continue;
            }
            if (slots[base] < 0)
            {
                writeText(out, addedNames[i]);
                out.writeByte(':');
                out.writeByte(' ');
                writeText(out, addedValues[i]);
            }
            else
            {
                out.writeBytes(bytes, slots[base], slots[base + 1]);
                out.writeByte(':');
                out.writeByte(' ');
                out.writeBytes(bytes, slots[base + 2], slots[base + 3]);
            }
            out.writeByte('\r');
            out.writeByte('\n');
        }
    }

    /**
     * @return an upper bound of what {@link #encode} writes, for sizing the buffer.
     */
    public int encodedLengthEstimate()
    {
        int total = 0;
        for (int i = 0; i < entries; i++)
        {
            final int base = i * SLOTS;
            if (slots[base + 1] < 0)
            {
                continue;
            }
            total += 4 + (slots[base] < 0 ? addedNames[i].length() + addedValues[i].length()
                : slots[base + 1] + slots[base + 3]);
        }
        return total;
    }

    static void writeText(final ByteBuf out, final CharSequence text)
    {
        if (text instanceof AsciiString ascii)
        {
            ByteBufUtil.copy(ascii, out);
        }
        else
        {
            out.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        }
    }

    private boolean isLive(final int i)
    {
        return slots[i * SLOTS + 1] >= 0;
    }

    private boolean nameEquals(final int i, final CharSequence name)
    {
        final int base = i * SLOTS;
        if (slots[base] < 0)
        {
            return AsciiString.contentEqualsIgnoreCase(addedNames[i], name);
        }
        return regionEquals(slots[base], slots[base + 1], name, 0, name.length(), true);
    }

    private boolean regionEquals(
        final int offset, final int count, final CharSequence text, final int textStart, final int textEnd,
        final boolean ignoreCase)
    {
        if (count != textEnd - textStart)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            final int a = bytes[offset + i] & 0xff;
            final int b = text.charAt(textStart + i);
            if (a != b && (!ignoreCase || toLower(a) != toLower(b)))
            {
                return false;
            }
        }
        return true;
    }

    private static int toLower(final int c)
    {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    private static boolean isOws(final int c)
    {
        return c == ' ' || c == '\t';
    }

    private void removeAll(final CharSequence name)
    {
        for (int i = 0; i < entries; i++)
        {
            if (isLive(i) && nameEquals(i, name))
            {
                slots[i * SLOTS + 1] = -1;
                addedNames[i] = null;
                addedValues[i] = null;
                live--;
            }
        }
    }

    private void append(final CharSequence name, final Object value)
    {
        final CharSequence text = toText(value);
        final int index = HttpHeaderValidationUtil.validateValidHeaderValue(text);
        if (index >= 0)
        {
            throw new IllegalArgumentException("a header value contains a prohibited character '"
                + text.charAt(index) + "' at index " + index + ": " + name);
        }
        final int i = newEntry();
        slots[i * SLOTS] = -1;
        slots[i * SLOTS + 1] = name.length();
        addedNames[i] = name;
        addedValues[i] = text;
    }

    private static CharSequence validName(final CharSequence name)
    {
        if (name == null || name.length() == 0)
        {
            throw new IllegalArgumentException("a header name must not be empty");
        }
        final int index = HttpHeaderValidationUtil.validateToken(name);
        if (index >= 0)
        {
            throw new IllegalArgumentException("a header name can only contain \"token\" characters, but found '"
                + name.charAt(index) + "' at index " + index + " of header '" + name + "'.");
        }
        return name;
    }

    private static CharSequence toText(final Object value)
    {
        if (value == null)
        {
            throw new NullPointerException("value");
        }
        if (value instanceof CharSequence text)
        {
            return text;
        }
        if (value instanceof Date date)
        {
            return DateFormatter.format(date);
        }
        if (value instanceof Calendar calendar)
        {
            return DateFormatter.format(calendar.getTime());
        }
        return value.toString();
    }

    private CharSequence valueAt(final int i)
    {
        return slots[i * SLOTS] < 0 ? addedValues[i] : valueString(i);
    }

    private String nameAt(final int i)
    {
        final int base = i * SLOTS;
        return slots[base] < 0 ? addedNames[i].toString()
            : new String(bytes, slots[base], slots[base + 1], StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // HttpHeaders
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public String get(final String name)
    {
        return get((CharSequence)name);
    }

    @Override
    public String get(final CharSequence name)
    {
        final int i = indexOf(name, 0);
        return i < 0 ? null : valueString(i);
    }

    @Override
    public Integer getInt(final CharSequence name)
    {
        final String value = get(name);
        if (value == null)
        {
            return null;
        }
        try
        {
            return Integer.valueOf(value);
        }
        catch (final NumberFormatException e)
        {
            return null;
        }
    }

    @Override
    public int getInt(final CharSequence name, final int defaultValue)
    {
        final Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(final CharSequence name)
    {
        final String value = get(name);
        if (value == null)
        {
            return null;
        }
        try
        {
            return Short.valueOf(value);
        }
        catch (final NumberFormatException e)
        {
            return null;
        }
    }

    @Override
    public short getShort(final CharSequence name, final short defaultValue)
    {
        final Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Long getTimeMillis(final CharSequence name)
    {
        final String value = get(name);
        if (value == null)
        {
            return null;
        }
        final Date date = DateFormatter.parseHttpDate(value);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(final CharSequence name, final long defaultValue)
    {
        final Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(final String name)
    {
        return getAll((CharSequence)name);
    }

    @Override
    public List<String> getAll(final CharSequence name)
    {
        final List<String> values = new ArrayList<>(2);
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1))
        {
            values.add(valueString(i));
        }
        return values;
    }

    @Override
    public List<Map.Entry<String, String>> entries()
    {
        final List<Map.Entry<String, String>> all = new ArrayList<>(live);
        for (int i = 0; i < entries; i++)
        {
            if (isLive(i))
            {
                all.add(new AbstractMap.SimpleImmutableEntry<>(nameAt(i), valueAt(i).toString()));
            }
        }
        return all;
    }

    @Override
    public boolean contains(final String name)
    {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(final CharSequence name)
    {
        return indexOf(name, 0) >= 0;
    }

    @Override
    @Deprecated
    public Iterator<Map.Entry<String, String>> iterator()
    {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence()
    {
        final List<Map.Entry<CharSequence, CharSequence>> all = new ArrayList<>(live);
        for (int i = 0; i < entries; i++)
        {
            if (isLive(i))
            {
                all.add(new AbstractMap.SimpleImmutableEntry<>(nameAt(i), valueAt(i)));
            }
        }
        return all.iterator();
    }

    /** Values of that name, last first, as {@link DefaultHttpHeaders} iterates them. */
    @Override
    public Iterator<String> valueStringIterator(final CharSequence name)
    {
        final List<String> values = getAll(name);
        Collections.reverse(values);
        return values.iterator();
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(final CharSequence name)
    {
        return valueStringIterator(name);
    }

    @Override
    public boolean isEmpty()
    {
        return live == 0;
    }

    @Override
    public int size()
    {
        return live;
    }

    @Override
    public Set<String> names()
    {
        final Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < entries; i++)
        {
            if (isLive(i))
            {
                names.add(nameAt(i));
            }
        }
        return names;
    }

    @Override
    public HttpHeaders add(final String name, final Object value)
    {
        return add((CharSequence)name, value);
    }

    @Override
    public HttpHeaders add(final CharSequence name, final Object value)
    {
        append(validName(name), value);
        return this;
    }

    @Override
    public HttpHeaders add(final String name, final Iterable<?> values)
    {
        return add((CharSequence)name, values);
    }

    @Override
    public HttpHeaders add(final CharSequence name, final Iterable<?> values)
    {
        validName(name);
        for (final Object value : values)
        {
            append(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(final CharSequence name, final int value)
    {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(final CharSequence name, final short value)
    {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(final String name, final Object value)
    {
        return set((CharSequence)name, value);
    }

    @Override
    public HttpHeaders set(final CharSequence name, final Object value)
    {
        validName(name);
        toText(value);
        removeAll(name);
        append(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(final String name, final Iterable<?> values)
    {
        return set((CharSequence)name, values);
    }

    @Override
    public HttpHeaders set(final CharSequence name, final Iterable<?> values)
    {
        validName(name);
        removeAll(name);
        for (final Object value : values)
        {
            if (value == null)
            {
                break;
            }
            append(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(final CharSequence name, final int value)
    {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(final CharSequence name, final short value)
    {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(final String name)
    {
        removeAll(name);
        return this;
    }

    @Override
    public HttpHeaders remove(final CharSequence name)
    {
        removeAll(name);
        return this;
    }

    @Override
    public HttpHeaders clear()
    {
        clearEntries();
        return this;
    }

    @Override
    public boolean contains(final String name, final String value, final boolean ignoreCase)
    {
        return contains((CharSequence)name, value, ignoreCase);
    }

    @Override
    public boolean contains(final CharSequence name, final CharSequence value, final boolean ignoreCase)
    {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1))
        {
            if (valueEquals(i, value, ignoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a field of that name has {@code value} as one of its comma-separated elements (optional whitespace
     * around each ignored), as {@link HttpHeaders#containsValue} specifies. Allocates nothing.
     */
    @Override
    public boolean containsValue(final CharSequence name, final CharSequence value, final boolean ignoreCase)
    {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1))
        {
            final int valueLength = valueLength(i);
            int start = 0;
            while (start <= valueLength)
            {
                int end = start;
                while (end < valueLength && valueCharAt(i, end) != ',')
                {
                    end++;
                }
                int s = start;
                int e = end;
                while (s < e && isOws(valueCharAt(i, s)))
                {
                    s++;
                }
                while (e > s && isOws(valueCharAt(i, e - 1)))
                {
                    e--;
                }
                if (elementEquals(i, s, e, value, ignoreCase))
                {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    private boolean elementEquals(
        final int entry, final int start, final int end, final CharSequence value, final boolean ignoreCase)
    {
        if (end - start != value.length())
        {
            return false;
        }
        for (int j = 0; j < value.length(); j++)
        {
            final int a = valueCharAt(entry, start + j);
            final int b = value.charAt(j);
            if (a != b && (!ignoreCase || toLower(a) != toLower(b)))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public HttpHeaders copy()
    {
        final DefaultHttpHeaders copy = new DefaultHttpHeaders();
        for (int i = 0; i < entries; i++)
        {
            if (isLive(i))
            {
                copy.add(nameAt(i), valueAt(i));
            }
        }
        return copy;
    }
}
