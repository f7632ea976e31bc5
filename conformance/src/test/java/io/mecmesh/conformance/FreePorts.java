package io.mecmesh.conformance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free loopback ports for configuration files: an appliance started with port 0 does not print the port it got, so
 * the tests choose ports and write them into the YAML. The ports are free when returned; another process could take
 * one before the appliance binds it (the appliance then exits with 69 and the test says so).
 */
final class FreePorts
{
    private FreePorts()
    {
    }

    static int[] take(final int count) throws IOException
    {
        final List<ServerSocket> held = new ArrayList<>();
        try
        {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        }
        finally
        {
            for (final ServerSocket socket : held)
            {
                socket.close();
            }
        }
    }
}
