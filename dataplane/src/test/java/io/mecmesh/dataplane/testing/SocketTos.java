package io.mecmesh.dataplane.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The TOS byte of established TCP sockets as the kernel holds it, read with {@code ss --tos}. */
public final class SocketTos
{
    private static final Pattern SS_LINE =
        Pattern.compile("[0-9.\\]\\[:a-f]+:(\\d+)\\s+\\S+:(\\d+)(?:.*tos:0x([0-9a-f]+))?.*");

    private SocketTos()
    {
    }

    /**
     * @param direction "sport" for sockets whose local port is {@code port}, "dport" for those whose peer's is.
     * @param port      the port.
     * @return the TOS of each such established socket, by its other port.
     * @throws Exception when {@code ss} cannot run.
     */
    public static Map<Integer, Integer> byOtherPort(final String direction, final int port) throws Exception
    {
        final Process ss = new ProcessBuilder("ss", "-tnH", "--tos", "state", "established", direction, "=",
            ":" + port).redirectErrorStream(true).start();
        final String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor(10, TimeUnit.SECONDS)).isTrue();
        final Map<Integer, Integer> tos = new TreeMap<>();
        for (final String line : output.split("\n"))
        {
            final Matcher matcher = SS_LINE.matcher(line);
            if (matcher.find())
            {
                tos.put(Integer.parseInt(matcher.group("dport".equals(direction) ? 1 : 2)),
                    matcher.group(3) == null ? 0 : Integer.parseInt(matcher.group(3), 16));
            }
        }
        return tos;
    }
}
