package io.mecmesh.dataplane.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain socket that sends bytes exactly as written and reads HTTP/1.1 responses one by one: for the tests that a
 * well-behaved client library cannot express (malformed requests, pipelining, connection close).
 */
public final class RawHttp implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /**
     * A response as read off the wire.
     *
     * @param status  the status code.
     * @param headers header names lower-cased, last value wins.
     * @param body    the body (by Content-Length, or chunked, or up to close).
     */
    public record Response(int status, Map<String, String> headers, String body)
    {
    }

    public RawHttp(final InetSocketAddress address) throws IOException
    {
        this(address, (java.net.InetAddress)null);
    }

    /**
     * A connection from a chosen local address (another address of 127.0.0.0/8, for source-address rules).
     *
     * @param address      where to connect.
     * @param localAddress the address to connect from, or {@code null} for the kernel's choice.
     * @throws IOException when the connection fails.
     */
    public RawHttp(final InetSocketAddress address, final java.net.InetAddress localAddress) throws IOException
    {
        this(address, bound(localAddress));
    }

    /**
     * A connection from a socket the caller bound (to a chosen source port, for source-port rules).
     *
     * @param address where to connect.
     * @param socket  an unconnected socket, bound or not; closed with this client.
     * @throws IOException when the connection fails.
     */
    public RawHttp(final InetSocketAddress address, final Socket socket) throws IOException
    {
        this.socket = socket;
        socket.connect(address, 2000);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    private static Socket bound(final java.net.InetAddress localAddress) throws IOException
    {
        final Socket socket = new Socket();
        if (localAddress != null)
        {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        return socket;
    }

    public RawHttp send(final String text) throws IOException
    {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /**
     * Reads one response.
     *
     * @return the response.
     * @throws IOException when the connection closes before a whole response arrives.
     */
    public Response read() throws IOException
    {
        final String statusLine = readLine();
        if (statusLine == null)
        {
            throw new IOException("connection closed before a response");
        }
        final int status = Integer.parseInt(statusLine.split(" ")[1]);
        final Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty())
        {
            final int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length"))
        {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        }
        else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding")))
        {
            int size;
            while ((size = Integer.parseInt(readLine().trim(), 16)) > 0)
            {
                body.write(in.readNBytes(size));
                readLine();
            }
            readLine();
        }
        else if (status >= 200 && status != 204 && status != 304)
        {
            body.write(in.readAllBytes());
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    /**
     * @return true when the peer closed the connection (end of stream within the read timeout).
     */
    public boolean isClosedByPeer() throws IOException
    {
        try
        {
            return in.read() == -1;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    private String readLine() throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1)
        {
            if (c == '\n')
            {
                final int length = line.length();
                return length > 0 && line.charAt(length - 1) == '\r' ? line.substring(0, length - 1) : line.toString();
            }
            line.append((char)c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
