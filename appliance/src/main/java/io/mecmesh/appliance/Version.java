package io.mecmesh.appliance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The build's version, from {@code version.properties} written by the build.
 */
public final class Version
{
    private static final String VERSION = load();

    private Version()
    {
    }

    /**
     * @return the version of this build, such as {@code 0.1.0}.
     */
    public static String current()
    {
        return VERSION;
    }

    private static String load()
    {
        try (InputStream in = Version.class.getResourceAsStream("version.properties"))
        {
            if (in == null)
            {
                return "unknown";
            }
            final Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
