package io.mecmesh.slicemanager.agent;

import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.distribution.SignedConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Checks the control plane's signatures on a configuration ({@link SignedConfig}) before the node applies it, and
 * again when it loads its last-known-good file. A configuration is good when at least one of its signatures verifies
 * with a trusted key.
 *
 * <p>Trusted keys: the configured ones (the control plane's verification keys that came with the trust bundle, an
 * explicit {@code controlPlane.configVerificationKeys} file, or the in-process keys of {@code role: all}); when none
 * is configured, the keys pinned in {@value #PINNED_FILE} (beside the last-known-good files). A node with neither
 * pins the keys of the first configuration it receives, which the shared distribution key has already authenticated
 * (trust on first authenticated contact), and from then on accepts only those keys, plus keys that co-sign a
 * configuration with a pinned key (how a pinned node follows a key rotation). A stored file is never a first contact:
 * with no key known, a last-known-good file is refused.
 *
 * <p>Confined to the node agent's thread.
 */
public final class ConfigVerifier
{
    /** Where a node without configured keys keeps the keys it pinned. */
    public static final String PINNED_FILE = "pinned-config-keys.pem";

    private final Supplier<List<PublicKey>> configured;
    private final Path pinnedFile;
    private final Map<String, PublicKey> pinned = new LinkedHashMap<>();

    /**
     * What verifying gave.
     *
     * @param content the configuration bytes, when a trusted signature verified.
     * @param problem why it is refused, otherwise.
     * @param pinned  keys pinned by this verification (fingerprints), for the log.
     */
    public record Outcome(Optional<byte[]> content, Optional<String> problem, List<String> pinned)
    {
        public Outcome
        {
            requireNonNull(content, "content");
            requireNonNull(problem, "problem");
            pinned = List.copyOf(pinned);
        }

        static Outcome refused(final String problem)
        {
            return new Outcome(Optional.empty(), Optional.of(problem), List.of());
        }
    }

    /**
     * @param configured the configured keys (read at each verification; may be empty).
     * @param directory  where {@value #PINNED_FILE} lives (the last-known-good directory).
     */
    public ConfigVerifier(final Supplier<List<PublicKey>> configured, final Path directory)
    {
        this.configured = requireNonNull(configured, "configured");
        this.pinnedFile = requireNonNull(directory, "directory").resolve(PINNED_FILE);
    }

    /**
     * Reads PEM public-key files: the supplier of an edge's configured keys. A file that does not exist yet (the
     * trust bundle before the first SVID) gives no key; a malformed one throws, refusing every configuration.
     *
     * @param files the files.
     * @return a supplier that rereads them.
     */
    public static Supplier<List<PublicKey>> keysFrom(final List<Path> files)
    {
        final List<Path> copy = List.copyOf(files);
        return () ->
        {
            final List<PublicKey> keys = new ArrayList<>();
            for (final Path file : copy)
            {
                try
                {
                    keys.addAll(SignedConfig.fromPem(Files.readString(file, StandardCharsets.US_ASCII),
                        file.toString()));
                }
                catch (final NoSuchFileException ex)
                {
                    continue;
                }
                catch (final IOException ex)
                {
                    throw new IllegalArgumentException(file + ": cannot be read: " + ex.getMessage(), ex);
                }
            }
            return keys;
        };
    }

    /**
     * Verifies a configuration received from the control plane (its HMAC verified); may pin keys.
     *
     * @param envelope the payload.
     * @return the content, or why it is refused.
     */
    public Outcome verifyReceived(final byte[] envelope)
    {
        return verify(envelope, true);
    }

    /**
     * Verifies a last-known-good file's content; never pins.
     *
     * @param envelope the file's content.
     * @return the content, or why it is refused.
     */
    public Outcome verifyStored(final byte[] envelope)
    {
        return verify(envelope, false);
    }

    /**
     * @return the fingerprints of the keys trusted now (configured, else pinned).
     */
    public List<String> trustedFingerprints()
    {
        return trusted().keySet().stream().toList();
    }

    private Outcome verify(final byte[] envelope, final boolean received)
    {
        requireNonNull(envelope, "envelope");
        final SignedConfig.Parsed parsed;
        try
        {
            parsed = SignedConfig.parse(envelope);
        }
        catch (final IllegalArgumentException ex)
        {
            return Outcome.refused("signature: " + ex.getMessage());
        }
        final Map<String, PublicKey> trusted;
        final boolean pinning;
        try
        {
            pinning = configured.get().isEmpty();
            trusted = trusted();
        }
        catch (final IllegalArgumentException ex)
        {
            return Outcome.refused("signature: the verification keys cannot be read: " + ex.getMessage());
        }
        final Map<String, PublicKey> valid = new LinkedHashMap<>();
        final List<String> invalid = new ArrayList<>();
        for (final SignedConfig.Entry entry : parsed.signatures())
        {
            final String fingerprint = SignedConfig.fingerprint(entry.publicKey());
            try
            {
                final PublicKey key = SignedConfig.publicKey(entry.publicKey());
                if (SignedConfig.verify(key, parsed.content(), entry.signature()))
                {
                    valid.put(fingerprint, key);
                    continue;
                }
            }
            catch (final IllegalArgumentException ex)
            {
                // an unusable key counts as a signature that does not verify
            }
            invalid.add(fingerprint);
        }
        final boolean trustedSignature = valid.keySet().stream().anyMatch(trusted::containsKey);
        if (trustedSignature)
        {
            try
            {
                final List<String> added = received && pinning ? pin(valid, trusted) : List.of();
                return new Outcome(Optional.of(parsed.content()), Optional.empty(), added);
            }
            catch (final CertificateAuthorityException ex)
            {
                return Outcome.refused("signature: cannot pin the signing keys: " + ex.getMessage());
            }
        }
        if (trusted.isEmpty())
        {
            if (!received)
            {
                return Outcome.refused("signature: no configuration-verification key is known (none configured, "
                    + "none pinned in " + pinnedFile + ")");
            }
            if (!invalid.isEmpty() || valid.isEmpty())
            {
                return Outcome.refused("signature: does not verify (keys " + invalid + ")");
            }
            try
            {
                return new Outcome(Optional.of(parsed.content()), Optional.empty(), pin(valid, trusted));
            }
            catch (final CertificateAuthorityException ex)
            {
                return Outcome.refused("signature: cannot pin the signing keys: " + ex.getMessage());
            }
        }
        if (!invalid.isEmpty())
        {
            return Outcome.refused("signature: does not verify with key(s) " + invalid + " (content altered or "
                + "signature forged)");
        }
        return Outcome.refused("signature: signed by key(s) " + valid.keySet() + " which this node does not trust ("
            + "trusted: " + trusted.keySet() + ")");
    }

    private Map<String, PublicKey> trusted()
    {
        final List<PublicKey> keys = configured.get();
        final Map<String, PublicKey> trusted = new LinkedHashMap<>();
        if (keys.isEmpty())
        {
            loadPinned();
            trusted.putAll(pinned);
        }
        else
        {
            keys.forEach(key -> trusted.put(SignedConfig.fingerprint(key), key));
        }
        return trusted;
    }

    private List<String> pin(final Map<String, PublicKey> valid, final Map<String, PublicKey> trusted)
    {
        final List<String> added = new ArrayList<>();
        valid.forEach((fingerprint, key) ->
        {
            if (!trusted.containsKey(fingerprint))
            {
                pinned.put(fingerprint, key);
                added.add(fingerprint);
            }
        });
        if (!added.isEmpty())
        {
            // Throws (the configuration is then refused) when the pins cannot be kept: never trust a key unrecorded.
            CaKeyStore.writeOwnerOnly(pinnedFile, SignedConfig.toPem(List.copyOf(pinned.values()))
                .getBytes(StandardCharsets.US_ASCII));
        }
        return added;
    }

    private void loadPinned()
    {
        pinned.clear();
        try
        {
            for (final PublicKey key : SignedConfig.fromPem(Files.readString(pinnedFile, StandardCharsets.US_ASCII),
                pinnedFile.toString()))
            {
                pinned.put(SignedConfig.fingerprint(key), key);
            }
        }
        catch (final NoSuchFileException ex)
        {
            return;
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(pinnedFile + ": cannot be read: " + ex.getMessage(), ex);
        }
    }
}
