package io.mecmesh.appliance.config;

import io.mecmesh.appliance.ApplianceException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * The one validator of {@code controlPlane.keyFile}, the HMAC key shared by a control plane and its nodes: used by
 * {@code mecmesh run} when it starts, by {@code mecmesh run --check} and by {@code mecmesh check}, so that the three
 * never disagree about a key.
 */
public final class DistributionKey
{
    /** The shortest key accepted (HMAC-SHA256: a key shorter than the hash weakens it). */
    public static final int MIN_BYTES = 32;

    private DistributionKey()
    {
    }

    /**
     * Reads and checks the key file.
     *
     * @param keyFile the file named by {@code controlPlane.keyFile}.
     * @return the key's bytes (at least {@link #MIN_BYTES}).
     * @throws ApplianceException with category {@code CONFIG}, one line naming the key and the file.
     */
    public static byte[] read(final Path keyFile)
    {
        requireNonNull(keyFile, "keyFile");
        final byte[] key;
        try
        {
            key = Files.readAllBytes(keyFile);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, "controlPlane.keyFile " + keyFile
                + ": no such file (make one with: head -c 32 /dev/urandom > " + keyFile + ")", ex);
        }
        catch (final IOException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, "controlPlane.keyFile " + keyFile
                + ": cannot be read (" + ex.getMessage() + ")", ex);
        }
        if (key.length < MIN_BYTES)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, "controlPlane.keyFile " + keyFile
                + ": " + key.length + " bytes, expected at least " + MIN_BYTES);
        }
        return key;
    }
}
