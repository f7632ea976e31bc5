package io.mecmesh.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain socket that writes HTTP/2 frames byte for byte (prior knowledge, h2c) and reads frames as they come: for
 * the tests that a well-behaved client cannot express (a header block never finished, a body that stalls, resets
 * in bulk). Header blocks are HPACK-encoded with Netty's encoder; nothing else of Netty's HTTP/2 codec is used.
 */
public final class RawHttp2 implements AutoCloseable
{
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    public static final int CONTINUATION = 0x9;
    public static final int END_STREAM = 0x1;
    public static final int ACK = 0x1;
    public static final int END_HEADERS = 0x4;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

    /**
     * A frame as read off the wire.
     *
     * @param type     the frame type.
     * @param flags    the flags.
     * @param streamId the stream.
     * @param payload  the payload, exactly.
     */
    public record Frame(int type, int flags, int streamId, byte[] payload)
    {
        /**
         * @return for a GOAWAY, its last-stream-id.
         */
        public int goAwayLastStreamId()
        {
            return (payload[0] & 0x7f) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8 | payload[3] & 0xff;
        }

        /**
         * @return for a GOAWAY or RST_STREAM, its error code.
         */
        public long errorCode()
        {
            final int offset = type == GOAWAY ? 4 : 0;
            return ((long)(payload[offset] & 0xff) << 24 | (payload[offset + 1] & 0xff) << 16
                | (payload[offset + 2] & 0xff) << 8 | payload[offset + 3] & 0xff) & 0xffffffffL;
        }
    }

    /**
     * Connects and sends the connection preface and an empty SETTINGS frame.
     *
     * @param address where to connect.
     * @throws IOException when the connection fails.
     */
    public RawHttp2(final InetSocketAddress address) throws IOException
    {
        socket = new Socket();
        socket.connect(address, 2000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
        Frame settings;
        do
        {
            settings = readFrame();
        }
        while (settings.type() != SETTINGS || (settings.flags() & ACK) != 0);
        // acknowledged now, so that no frame of ours falls inside a header block a test leaves open
        frame(SETTINGS, ACK, 0, new byte[0]);
    }

    /**
     * Writes one frame.
     *
     * @return this.
     * @throws IOException when the write fails.
     */
    public RawHttp2 frame(final int type, final int flags, final int streamId, final byte[] payload) throws IOException
    {
        final byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte)(payload.length >>> 16);
        frame[1] = (byte)(payload.length >>> 8);
        frame[2] = (byte)payload.length;
        frame[3] = (byte)type;
        frame[4] = (byte)flags;
        frame[5] = (byte)(streamId >>> 24 & 0x7f);
        frame[6] = (byte)(streamId >>> 16);
        frame[7] = (byte)(streamId >>> 8);
        frame[8] = (byte)streamId;
        System.arraycopy(payload, 0, frame, 9, payload.length);
        out.write(frame);
        out.flush();
        return this;
    }

    /**
     * @param method    the request method.
     * @param authority the authority.
     * @param path      the path.
     * @param extra     more header fields, name then value.
     * @return the HPACK block of a request's headers (the encoder's table changes: send every block made).
     */
    public byte[] headerBlock(final String method, final String authority, final String path, final String... extra)
        throws Http2Exception
    {
        final Http2Headers headers = new DefaultHttp2Headers().method(method).scheme("http").authority(authority)
            .path(path);
        for (int i = 0; i < extra.length; i += 2)
        {
            headers.add(extra[i], extra[i + 1]);
        }
        final ByteBuf block = Unpooled.buffer();
        try
        {
            encoder.encodeHeaders(1, headers, block);
            final byte[] bytes = new byte[block.readableBytes()];
            block.readBytes(bytes);
            return bytes;
        }
        finally
        {
            block.release();
        }
    }

    /**
     * @return the next frame; SETTINGS, PING and WINDOW_UPDATE frames are answered or skipped.
     * @throws IOException when the connection closes first (an {@link EOFException}) or nothing comes in 10 s.
     */
    public Frame read() throws IOException
    {
        while (true)
        {
            final Frame frame = readFrame();
            if (frame.type() == SETTINGS && (frame.flags() & ACK) == 0)
            {
                frame(SETTINGS, ACK, 0, new byte[0]);
            }
            else if (frame.type() != SETTINGS && frame.type() != PING && frame.type() != WINDOW_UPDATE)
            {
                return frame;
            }
        }
    }

    /**
     * @return the next frame, WINDOW_UPDATE and PING frames included (for flow-control tests); SETTINGS frames are
     * answered and skipped.
     * @throws IOException when the connection closes first (an {@link EOFException}) or nothing comes in 10 s.
     */
    public Frame readAny() throws IOException
    {
        while (true)
        {
            final Frame frame = readFrame();
            if (frame.type() != SETTINGS)
            {
                return frame;
            }
            if ((frame.flags() & ACK) == 0)
            {
                frame(SETTINGS, ACK, 0, new byte[0]);
            }
        }
    }

    private Frame readFrame() throws IOException
    {
        final int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        final int type = in.readUnsignedByte();
        final int flags = in.readUnsignedByte();
        final int streamId = in.readInt() & 0x7fffffff;
        final byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, flags, streamId, payload);
    }

    /**
     * Sends a PING and reads until its acknowledgement: the peer has processed every frame sent before it.
     *
     * @return the frames (other than SETTINGS, PING, WINDOW_UPDATE) read meanwhile.
     * @throws IOException when the connection closes first or nothing comes in 10 s.
     */
    public List<Frame> sync() throws IOException
    {
        frame(PING, 0, 0, new byte[8]);
        final List<Frame> frames = new ArrayList<>();
        while (true)
        {
            final Frame frame = readFrame();
            if (frame.type() == PING && (frame.flags() & ACK) != 0)
            {
                return frames;
            }
            if (frame.type() != SETTINGS && frame.type() != PING && frame.type() != WINDOW_UPDATE)
            {
                frames.add(frame);
            }
        }
    }

    /**
     * @param frame a HEADERS frame (without padding or priority) with END_HEADERS.
     * @return its decoded header fields.
     */
    public Http2Headers decode(final Frame frame) throws Http2Exception
    {
        final ByteBuf block = Unpooled.wrappedBuffer(frame.payload());
        try
        {
            return decoder.decodeHeaders(frame.streamId(), block);
        }
        finally
        {
            block.release();
        }
    }

    /**
     * Reads frames until the peer closes the connection.
     *
     * @return the GOAWAY received before the close, or {@code null} when there was none.
     * @throws IOException when nothing comes in 10 s.
     */
    public Frame readUntilClosed() throws IOException
    {
        Frame goAway = null;
        try
        {
            while (true)
            {
                final Frame frame = read();
                if (frame.type() == GOAWAY)
                {
                    goAway = frame;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            // end of stream, or reset by the peer: closed either way
            return goAway;
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
