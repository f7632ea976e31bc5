package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SigningScope;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.zip.CRC32;

import static java.util.Objects.requireNonNull;

/**
 * The durable record of every certificate a CA (the root in the control plane, or a site intermediate on an edge)
 * has issued: an append-only text file ({@link #FILE} in the CA's directory, mode 0600), one line per certificate,
 * written and forced to disk before the certificate is handed out, so that no serial number is reused across restarts
 * and an operator can list what was issued ({@code mecmesh cert issued}).
 * <pre>
 * serial(hex) TAB subject TAB notBefore TAB notAfter TAB issuer serial(hex) TAB CRC-32(hex) of what precedes LF
 * </pre>
 * The subject is the certificate's SPIFFE ID (its first URI SAN). A line that does not parse or whose CRC does not
 * match (a torn write, a disk error, an edit) is kept in the file and reported by {@link #corruptLines()}, never
 * dropped silently; its serial is still reserved when it can be read. Appends start on a new line.
 * <p>
 * Several processes may issue from one CA directory (the control plane and {@code mecmesh cert issue}): each issuance
 * holds an exclusive lock on the file, reads the lines others appended since, picks a serial that none of them used,
 * signs, appends and forces. Thread safe.
 */
public final class IssuedLog
{
    /** The file name in a CA directory. */
    public static final String FILE = "issued.log";

    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();
    private static final char SEPARATOR = '\t';
    private static final int FIELDS = 6;
    private static final int SERIAL_BITS = 128;
    private static final int SAN_URI = 6;
    private static final int MAX_SERIAL_ATTEMPTS = 1000;

    private final Path file;
    private final Object monitor;
    private final Set<BigInteger> serials = new HashSet<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<Corruption> corrupt = new ArrayList<>();
    private long position;
    private int lines;
    private boolean endsWithLineBreak = true;

    /**
     * One issued certificate.
     *
     * @param serial       its serial number.
     * @param subject      its SPIFFE ID (or subject name when it has no URI SAN).
     * @param notBefore    start of validity.
     * @param notAfter     end of validity.
     * @param issuerSerial the serial number of the certificate that signed it (itself for a root).
     */
    public record Entry(BigInteger serial, String subject, Instant notBefore, Instant notAfter,
        BigInteger issuerSerial)
    {
        public Entry
        {
            requireNonNull(serial, "serial");
            requireNonNull(subject, "subject");
            requireNonNull(notBefore, "notBefore");
            requireNonNull(notAfter, "notAfter");
            requireNonNull(issuerSerial, "issuerSerial");
            if (subject.indexOf(SEPARATOR) >= 0 || subject.indexOf('\n') >= 0 || subject.indexOf('\r') >= 0)
            {
                throw new IllegalArgumentException("subject: must not contain a tab or a line break");
            }
        }

        static Entry of(final X509Certificate certificate, final BigInteger issuerSerial)
        {
            return new Entry(certificate.getSerialNumber(), subjectOf(certificate),
                certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(), issuerSerial);
        }

        String line()
        {
            final String text = serial.toString(16) + SEPARATOR + subject + SEPARATOR + notBefore + SEPARATOR
                + notAfter + SEPARATOR + issuerSerial.toString(16);
            return text + SEPARATOR + crc(text) + '\n';
        }
    }

    /**
     * A line that cannot be trusted.
     *
     * @param line   its number, from 1.
     * @param reason what is wrong with it.
     */
    public record Corruption(int line, String reason)
    {
        public Corruption
        {
            requireNonNull(reason, "reason");
        }
    }

    private IssuedLog(final Path file, final Collection<BigInteger> reserved)
    {
        this.file = file;
        this.monitor = file == null ? new Object() : MONITORS.computeIfAbsent(file, f -> new Object());
        serials.addAll(reserved);
    }

    /**
     * Opens (creating it with mode 0600 if needed) and reads the log of a CA directory.
     *
     * @param file the log file, usually {@code DIR/issued.log}.
     * @return the log, with every readable line loaded.
     * @throws CertificateAuthorityException (KEY_STORE) if it cannot be created or read.
     */
    public static IssuedLog open(final Path file)
    {
        final Path absolute = requireNonNull(file, "file").toAbsolutePath().normalize();
        try
        {
            Files.createFile(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rw-------")));
        }
        catch (final FileAlreadyExistsException ignore)
        {
            // appended to by an earlier run: read below
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, absolute + ": cannot create the log of "
                + "issued certificates: " + ex, ex);
        }
        final IssuedLog log = new IssuedLog(absolute, List.of());
        synchronized (log.monitor)
        {
            try (FileChannel channel = FileChannel.open(absolute, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                channel.lock(); // released when the channel closes
                log.catchUp(channel);
            }
            catch (final IOException ex)
            {
                throw new CertificateAuthorityException(Category.KEY_STORE, absolute + ": cannot read: " + ex, ex);
            }
        }
        return log;
    }

    /**
     * Reads a log without creating it, for listing.
     *
     * @param file the log file.
     * @return the log.
     * @throws CertificateAuthorityException (KEY_STORE) if it does not exist or cannot be read.
     */
    public static IssuedLog read(final Path file)
    {
        if (!Files.isRegularFile(requireNonNull(file, "file")))
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": no log of issued certificates");
        }
        return open(file);
    }

    /**
     * A log kept in memory only, for CAs without a directory (tests, demos, benchmarks).
     *
     * @param reserved serial numbers never to issue.
     * @return the log.
     */
    public static IssuedLog inMemory(final Collection<BigInteger> reserved)
    {
        return new IssuedLog(null, requireNonNull(reserved, "reserved"));
    }

    /**
     * @return the readable entries, in the order they were written.
     */
    public List<Entry> entries()
    {
        synchronized (monitor)
        {
            return List.copyOf(entries);
        }
    }

    /**
     * @return the lines that could not be read, each with the reason; empty for a sound log.
     */
    public List<Corruption> corruptLines()
    {
        synchronized (monitor)
        {
            return List.copyOf(corrupt);
        }
    }

    /**
     * @return every serial number issued or reserved.
     */
    public Set<BigInteger> serials()
    {
        synchronized (monitor)
        {
            return Set.copyOf(serials);
        }
    }

    /**
     * @return the file, or null for a log in memory.
     */
    Path file()
    {
        return file;
    }

    void reserve(final BigInteger serial)
    {
        synchronized (monitor)
        {
            serials.add(requireNonNull(serial, "serial"));
        }
    }

    /**
     * Records a certificate made elsewhere (a self-signed root), forced to disk before returning.
     *
     * @param certificate  the certificate.
     * @param issuerSerial the serial of its issuer (its own for a root).
     * @throws CertificateAuthorityException (KEY_STORE) if it cannot be written, (REQUEST_REFUSED) if its serial was
     *                                       already issued.
     */
    public void record(final X509Certificate certificate, final BigInteger issuerSerial)
    {
        requireNonNull(certificate, "certificate");
        requireNonNull(issuerSerial, "issuerSerial");
        issue(random -> certificate.getSerialNumber(), serial -> certificate, issuerSerial, null);
    }

    /**
     * Issues one certificate: under the file's lock, picks a random 128-bit serial no line uses, lets {@code signer}
     * make the certificate with it, and appends and forces its line before returning it.
     *
     * @param random       the source of serials.
     * @param signer       makes the certificate with the serial given.
     * @param issuerSerial the serial of the signing certificate.
     * @return the certificate, recorded.
     * @throws CertificateAuthorityException (UNAVAILABLE) if it cannot be recorded: it is then not returned.
     */
    X509Certificate issue(final SecureRandom random, final Function<BigInteger, X509Certificate> signer,
        final BigInteger issuerSerial)
    {
        requireNonNull(random, "random");
        return issue(r -> SvidIssuer.randomSerial(random), signer, issuerSerial, random);
    }

    private interface SerialSource
    {
        BigInteger next(SecureRandom random);
    }

    private X509Certificate issue(final SerialSource source, final Function<BigInteger, X509Certificate> signer,
        final BigInteger issuerSerial, final SecureRandom random)
    {
        synchronized (monitor)
        {
            if (file == null)
            {
                final X509Certificate certificate = signer.apply(pick(source, random));
                serials.add(certificate.getSerialNumber());
                entries.add(Entry.of(certificate, issuerSerial));
                return certificate;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                channel.lock(); // released when the channel closes
                catchUp(channel);
                final X509Certificate certificate = signer.apply(pick(source, random));
                final Entry entry = Entry.of(certificate, issuerSerial);
                final String line = (endsWithLineBreak ? "" : "\n") + entry.line();
                final ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                long at = channel.size();
                while (bytes.hasRemaining())
                {
                    at += channel.write(bytes, at);
                }
                channel.force(true);
                position = at;
                lines += endsWithLineBreak ? 1 : 2;
                endsWithLineBreak = true;
                serials.add(certificate.getSerialNumber());
                entries.add(entry);
                return certificate;
            }
            catch (final IOException ex)
            {
                throw new CertificateAuthorityException(Category.UNAVAILABLE, file + ": cannot record the issued "
                    + "certificate, so it is not handed out: " + ex, ex);
            }
        }
    }

    private BigInteger pick(final SerialSource source, final SecureRandom random)
    {
        for (int i = 0; i < MAX_SERIAL_ATTEMPTS; i++)
        {
            final BigInteger serial = source.next(random);
            if (!serials.contains(serial))
            {
                return serial;
            }
            if (random == null)
            {
                break;
            }
        }
        throw new CertificateAuthorityException(Category.REQUEST_REFUSED, "no unused serial number: the serial "
            + "number was already issued by this CA" + (file == null ? "" : " (" + file + ")"));
    }

    /** Reads the complete lines appended since the last read; the caller holds the monitor and the file lock. */
    private void catchUp(final FileChannel channel) throws IOException
    {
        final long size = channel.size();
        if (size <= position)
        {
            return;
        }
        final ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size - position));
        long at = position;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, at);
            if (read < 0)
            {
                break;
            }
            at += read;
        }
        final String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        int start = 0;
        while (start < text.length())
        {
            final int end = text.indexOf('\n', start);
            lines++;
            if (end < 0)
            {
                // under the lock nobody is writing: a line without its end is a write that was cut short
                corrupt.add(new Corruption(lines, "incomplete line (no line end): a write was interrupted"));
                reserveReadableSerial(text.substring(start));
                endsWithLineBreak = false;
                break;
            }
            parse(text.substring(start, end));
            start = end + 1;
            endsWithLineBreak = true;
        }
        position = position + buffer.position();
    }

    private void parse(final String line)
    {
        final String[] fields = line.split(String.valueOf(SEPARATOR), -1);
        if (fields.length != FIELDS)
        {
            corrupt.add(new Corruption(lines, FIELDS + " tab-separated fields expected, found " + fields.length));
            reserveReadableSerial(line);
            return;
        }
        final String text = line.substring(0, line.lastIndexOf(SEPARATOR));
        if (!crc(text).equals(fields[FIELDS - 1]))
        {
            corrupt.add(new Corruption(lines, "checksum " + fields[FIELDS - 1] + " does not match the line ("
                + crc(text) + ")"));
            reserveReadableSerial(line);
            return;
        }
        try
        {
            final Entry entry = new Entry(new BigInteger(fields[0], 16), fields[1], Instant.parse(fields[2]),
                Instant.parse(fields[3]), new BigInteger(fields[4], 16));
            entries.add(entry);
            serials.add(entry.serial());
        }
        catch (final NumberFormatException | DateTimeParseException ex)
        {
            corrupt.add(new Corruption(lines, "unreadable field: " + ex.getMessage()));
        }
    }

    private void reserveReadableSerial(final String line)
    {
        final int tab = line.indexOf(SEPARATOR);
        final String first = tab < 0 ? line : line.substring(0, tab);
        try
        {
            final BigInteger serial = new BigInteger(first, 16);
            if (serial.signum() > 0 && serial.bitLength() <= SERIAL_BITS)
            {
                serials.add(serial);
            }
        }
        catch (final NumberFormatException ignore)
        {
            // no serial to salvage: the line is reported as corrupt
        }
    }

    private static String crc(final String text)
    {
        final CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** A site intermediate by the subtree it signs for; any other certificate by its SPIFFE ID. */
    private static String subjectOf(final X509Certificate certificate)
    {
        try
        {
            final Optional<SpiffeId> scope = SigningScope.of(certificate);
            if (scope.isPresent())
            {
                return scope.get().toString();
            }
        }
        catch (final IllegalArgumentException ignore)
        {
            // not a readable scope: name it as any other certificate
        }
        try
        {
            final Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null)
            {
                for (final List<?> name : names)
                {
                    if (Integer.valueOf(SAN_URI).equals(name.get(0)) && name.get(1) instanceof String uri
                        && uri.startsWith(SpiffeId.PREFIX))
                    {
                        return uri;
                    }
                }
            }
        }
        catch (final CertificateParsingException ignore)
        {
            // fall back to the subject name
        }
        return certificate.getSubjectX500Principal().getName().replace('\t', ' ');
    }

    @Override
    public String toString()
    {
        return "IssuedLog[" + (file == null ? "in memory" : file) + "]";
    }
}
