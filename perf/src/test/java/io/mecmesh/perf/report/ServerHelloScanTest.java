package io.mecmesh.perf.report;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ServerHelloScan} over a capture built here: Ethernet, IPv4, TCP and TLS 1.3 records as tcpdump writes them.
 */
class ServerHelloScanTest
{
    @Test
    void shouldNameTheSuiteAndGroupOfEachServerHelloPerServerPortAndSkipOtherSegments()
    {
        final ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        pcap.writeBytes(globalHeader());
        pcap.writeBytes(packet(18106, serverHello(0x1301, 0x11ec, 32, false)));
        pcap.writeBytes(packet(18106, serverHello(0x1301, 0x11ec, 0, true)));
        pcap.writeBytes(packet(18102, serverHello(0x1302, 0x001d, 32, false)));
        pcap.writeBytes(packet(18102, new byte[]{0x17, 0x03, 0x03, 0x00, 0x02, 0x01, 0x02}));   // application data
        pcap.writeBytes(packet(40000, new byte[0]));                                           // a bare ACK

        assertThat(ServerHelloScan.scan(pcap.toByteArray())).containsExactly(
            "port 18102: 1 ServerHello(s) TLS_AES_256_GCM_SHA384 X25519, full handshake",
            "port 18106: 1 ServerHello(s) TLS_AES_128_GCM_SHA256 X25519MLKEM768, full handshake",
            "port 18106: 1 ServerHello(s) TLS_AES_128_GCM_SHA256 X25519MLKEM768, resumed");
    }

    private static byte[] globalHeader()
    {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4).putShort((short)2)
            .putShort((short)4).putInt(0).putInt(0).putInt(262144).putInt(1).array();
    }

    private static byte[] packet(final int sourcePort, final byte[] payload)
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 20 + payload.length);
        frame.put(new byte[12]).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)(40 + payload.length)).putInt(0).put((byte)64)
            .put((byte)6).putShort((short)0).putInt(0x7f000001).putInt(0x7f000001);
        frame.putShort((short)sourcePort).putShort((short)50000).putInt(1).putInt(1).put((byte)0x50).put((byte)0x18)
            .putShort((short)65535).putShort((short)0).putShort((short)0);
        frame.put(payload);
        final byte[] bytes = frame.array();
        return ByteBuffer.allocate(16 + bytes.length).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(0)
            .putInt(bytes.length).putInt(bytes.length).put(bytes).array();
    }

    /**
     * A TLS 1.3 ServerHello: supported_versions, then key_share with the group and a 32-byte share, then (resumed)
     * pre_shared_key selecting identity 0.
     */
    private static byte[] serverHello(final int suite, final int group, final int sessionIdLength,
        final boolean resumed)
    {
        final ByteBuffer extensions = ByteBuffer.allocate(6 + 8 + 32 + (resumed ? 6 : 0));
        extensions.putShort((short)43).putShort((short)2).putShort((short)0x0304);
        extensions.putShort((short)51).putShort((short)(4 + 32)).putShort((short)group).putShort((short)32)
            .put(new byte[32]);
        if (resumed)
        {
            extensions.putShort((short)41).putShort((short)2).putShort((short)0);
        }
        final ByteBuffer hello = ByteBuffer.allocate(2 + 32 + 1 + sessionIdLength + 3 + 2 + extensions.capacity());
        hello.putShort((short)0x0303).put(new byte[32]).put((byte)sessionIdLength).put(new byte[sessionIdLength])
            .putShort((short)suite).put((byte)0).putShort((short)extensions.capacity()).put(extensions.array());
        final int length = hello.capacity();
        final ByteBuffer record = ByteBuffer.allocate(5 + 4 + length);
        record.put((byte)0x16).putShort((short)0x0303).putShort((short)(4 + length));
        record.put((byte)2).put((byte)0).putShort((short)length).put(hello.array());
        return record.array();
    }
}
