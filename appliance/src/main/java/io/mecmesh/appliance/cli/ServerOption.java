package io.mecmesh.appliance.cli;

import picocli.CommandLine.Option;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code --server URL}: where the control plane's API listens. Mixed into every control-plane client command.
 */
final class ServerOption
{
    /** The environment variable that sets the default. */
    static final String VARIABLE = "MECMESH_SERVER";
    /** The default without the variable: the API of {@code mecmesh run} on this host. */
    static final String DEFAULT = "http://127.0.0.1:9902";

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:" + VARIABLE + ":-" + DEFAULT + "}",
        description = "The control plane's API (default: $" + VARIABLE + ", else " + DEFAULT + ").")
    String server;

    /**
     * @return a client of the API at {@code --server}.
     * @throws CommandFailedException if the URL is not an http(s) URL.
     */
    ControlPlaneClient client()
    {
        final URI uri;
        try
        {
            uri = new URI(server.endsWith("/") ? server : server + "/");
        }
        catch (final URISyntaxException ex)
        {
            throw new CommandFailedException(ExitCode.USAGE, "--server: expected a URL such as " + DEFAULT + ", got \""
                + server + "\"");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null)
        {
            throw new CommandFailedException(ExitCode.USAGE, "--server: expected a URL such as " + DEFAULT + ", got \""
                + server + "\"");
        }
        return new ControlPlaneClient(uri);
    }
}
