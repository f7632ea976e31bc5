package io.mecmesh.perf.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What TLS the sidecar pairs of {@code compare.sh} negotiated on the wire: reads a {@code tcpdump -w} capture of the
 * A→B connections (loopback) and prints, per server port, the cipher suite and key-exchange group of every TLS 1.3
 * ServerHello, so that the pairs' equivalence is checked in the run and not only assumed from configurations.
 *
 * <pre>
 *   java -cp perf/target/classes io.mecmesh.perf.report.ServerHelloScan CAPTURE.pcap
 *   port 18106: 1 ServerHello(s) TLS_AES_128_GCM_SHA256 X25519MLKEM768, full handshake
 * </pre>
 *
 * <p>Reads classic pcap (either byte order; Ethernet, Linux cooked v1/v2 or null link layers), IPv4 and TCP, and
 * finds a ServerHello at the start of a TCP segment's payload (as every TLS stack here sends it). A resumed or
 * pre-shared-key handshake without a key share is printed with group {@code none}; a ServerHello that accepts a
 * pre-shared key (extension 41) is a resumed session, so the lines also count TLS session resumptions per pair.
 */
public final class ServerHelloScan
{
    private static final Map<Integer, String> SUITES = Map.of(0x1301, "TLS_AES_128_GCM_SHA256",
        0x1302, "TLS_AES_256_GCM_SHA384", 0x1303, "TLS_CHACHA20_POLY1305_SHA256");
    private static final Map<Integer, String> GROUPS = Map.of(0x001d, "X25519", 0x0017, "P-256", 0x0018, "P-384",
        0x11ec, "X25519MLKEM768", 0x6399, "X25519Kyber768Draft00");
    private static final int KEY_SHARE = 51;
    private static final int PRE_SHARED_KEY = 41;
    private static final int HANDSHAKE = 0x16;
    private static final int SERVER_HELLO = 2;

    private ServerHelloScan()
    {
    }

    /**
     * @param args the capture file.
     * @throws IOException when it cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 1)
        {
            System.err.println("usage: ServerHelloScan CAPTURE.pcap");
            System.exit(2);
        }
        for (final String line : scan(Files.readAllBytes(Path.of(args[0]))))
        {
            System.out.println(line);
        }
        System.out.flush();
    }

    /**
     * @param pcap a capture.
     * @return one line per server port, suite and group: {@code port P: N ServerHello(s) SUITE GROUP}.
     */
    static List<String> scan(final byte[] pcap)
    {
        final ByteBuffer file = ByteBuffer.wrap(pcap);
        if (pcap.length < 24)
        {
            return List.of();
        }
        final int magic = file.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        file.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        final int linkHeader = switch (file.getInt(20))
        {
            case 0 -> 4;        // BSD loopback
            case 113 -> 16;     // Linux cooked v1
            case 276 -> 20;     // Linux cooked v2
            default -> 14;      // Ethernet (tcpdump -i lo on Linux)
        };
        final Map<String, Integer> counts = new TreeMap<>();
        int offset = 24;
        while (offset + 16 <= pcap.length)
        {
            final int captured = file.getInt(offset + 8);
            final int packet = offset + 16;
            offset = packet + captured;
            if (captured < 0 || offset > pcap.length)
            {
                break;
            }
            final String hello = serverHello(pcap, packet + linkHeader, packet + captured);
            if (hello != null)
            {
                counts.merge(hello, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().map(e -> e.getKey().replace("#", e.getValue() + " ServerHello(s)")).toList();
    }

    /**
     * @return {@code port P: # SUITE GROUP} for a TCP segment from port P that starts with a ServerHello, else null.
     */
    private static String serverHello(final byte[] b, final int ip, final int end)
    {
        if (ip + 20 > end || (b[ip] & 0xf0) != 0x40)
        {
            return null;
        }
        final int tcp = ip + (b[ip] & 0x0f) * 4;
        if (tcp + 20 > end)
        {
            return null;
        }
        final int sourcePort = u16(b, tcp);
        final int tls = tcp + ((b[tcp + 12] & 0xf0) >> 4) * 4;
        // record: type, version (2), length (2); handshake: type, length (3); hello: version (2), random (32)
        if (tls + 9 + 35 > end || (b[tls] & 0xff) != HANDSHAKE || (b[tls + 5] & 0xff) != SERVER_HELLO)
        {
            return null;
        }
        final int sessionId = tls + 9 + 34;
        final int suiteAt = sessionId + 1 + (b[sessionId] & 0xff);
        if (suiteAt + 5 > end)
        {
            return null;
        }
        final int suite = u16(b, suiteAt);
        final int extensionsEnd = Math.min(end, suiteAt + 5 + u16(b, suiteAt + 3));
        String group = "none";
        String resumed = "full handshake";
        for (int e = suiteAt + 5; e + 4 <= extensionsEnd; e += 4 + u16(b, e + 2))
        {
            if (u16(b, e) == KEY_SHARE && e + 6 <= extensionsEnd)
            {
                final int id = u16(b, e + 4);
                group = GROUPS.getOrDefault(id, String.format("0x%04x", id));
            }
            else if (u16(b, e) == PRE_SHARED_KEY)
            {
                resumed = "resumed";
            }
        }
        return "port " + sourcePort + ": # " + SUITES.getOrDefault(suite, String.format("0x%04x", suite)) + " "
            + group + ", " + resumed;
    }

    private static int u16(final byte[] b, final int at)
    {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }
}
