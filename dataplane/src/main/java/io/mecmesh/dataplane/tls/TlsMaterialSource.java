package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.X509SvidValidator;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * The current {@link TlsMaterial} of one or more TLS contexts, replaceable at run time: the node identity client
 * {@link #swap swaps} in a renewed certificate (or a rotated trust bundle) and every handshake that starts afterwards
 * presents and trusts the new material, while established connections keep the session they negotiated.
 * <p>
 * A context built from a source ({@link TlsConfig#fromSource}) keeps one {@code SslContext} for its lifetime. Its key
 * manager asks the source for the certificate in each handshake (netty-tcnative's BoringSSL certificate callback with
 * a non-caching key manager factory, or the JDK engine's {@code chooseEngine*Alias}); its trust manager validates the
 * peer with the current bundle. Each generation has its own alias, and the previous generation stays resolvable, so
 * a handshake that chose an alias just before a swap still gets a matching key and chain.
 * <p>
 * A source may start {@link #withoutMaterial() without material} (a node whose identity expired while its CA was
 * away): handshakes then present no certificate and accept no peer, and a mesh listener refuses connections before
 * the handshake ({@link #hasMaterial()}), until the first {@link #swap}.
 * <p>
 * Thread safe: {@link #swap} may be called from any thread; readers never block.
 */
public final class TlsMaterialSource
{
    private static final String ALIAS_PREFIX = "mecmesh-";

    private final AtomicReference<Generation> current = new AtomicReference<>();

    /**
     * @param initial the material to start with.
     */
    public TlsMaterialSource(final TlsMaterial initial)
    {
        current.set(new Generation(1, requireNonNull(initial, "initial"), null));
    }

    private TlsMaterialSource()
    {
        current.set(new Generation(0, null, null));
    }

    /**
     * @return a source with no material yet (generation 0): no handshake succeeds until the first {@link #swap}.
     */
    public static TlsMaterialSource withoutMaterial()
    {
        return new TlsMaterialSource();
    }

    /**
     * @return whether there is material to present (false only before the first swap of
     *         {@link #withoutMaterial()}).
     */
    public boolean hasMaterial()
    {
        return current.get().material != null;
    }

    /**
     * @return the material new handshakes use.
     * @throws IllegalStateException when there is none yet ({@link #hasMaterial()}).
     */
    public TlsMaterial current()
    {
        final TlsMaterial material = current.get().material;
        if (material == null)
        {
            throw new IllegalStateException("no TLS material yet: this node has no valid identity");
        }
        return material;
    }

    /**
     * @return how many times the material was set: 1 at construction (0 {@link #withoutMaterial()}), incremented by
     *         each {@link #swap}.
     */
    public long generation()
    {
        return current.get().number;
    }

    /**
     * Makes new handshakes use this material. Established connections are not touched.
     *
     * @param material the new certificate, key and trust bundle.
     */
    public void swap(final TlsMaterial material)
    {
        requireNonNull(material, "material");
        while (true)
        {
            final Generation before = current.get();
            final Generation after = new Generation(before.number + 1, material, before.withoutPrevious());
            if (current.compareAndSet(before, after))
            {
                return;
            }
        }
    }

    /** The validator of the current bundle, {@code null} while there is no material. */
    X509SvidValidator validator()
    {
        return current.get().validator;
    }

    String currentAlias()
    {
        return current.get().alias;
    }

    String aliasIfKeyType(final String keyType)
    {
        final Generation generation = current.get();
        return generation.material != null && generation.matches(keyType) ? generation.alias : null;
    }

    X509Certificate[] chain(final String alias)
    {
        final Generation generation = lookup(alias);
        return generation == null ? null : generation.chain.clone();
    }

    PrivateKey privateKey(final String alias)
    {
        final Generation generation = lookup(alias);
        return generation == null ? null : generation.material.privateKey();
    }

    private Generation lookup(final String alias)
    {
        final Generation generation = current.get();
        if (alias == null)
        {
            return null;
        }
        if (alias.equals(generation.alias))
        {
            return generation;
        }
        final Generation previous = generation.previous;
        return previous != null && alias.equals(previous.alias) ? previous : null;
    }

    private static final class Generation
    {
        private final long number;
        private final TlsMaterial material;
        private final Generation previous;
        private final String alias;
        /** Kept as one array so that the same certificate instances go to the TLS library on every handshake. */
        private final X509Certificate[] chain;
        private final X509SvidValidator validator;

        Generation(final long number, final TlsMaterial material, final Generation previous)
        {
            this.number = number;
            this.material = material;
            this.previous = previous;
            this.alias = material == null ? null : ALIAS_PREFIX + number;
            this.chain = material == null ? new X509Certificate[0] : material.chain().toArray(new X509Certificate[0]);
            this.validator = material == null ? null : new X509SvidValidator(material.trustBundle());
        }

        Generation withoutPrevious()
        {
            if (material == null)
            {
                return null;
            }
            return previous == null ? this : new Generation(this, null);
        }

        private Generation(final Generation copy, final Generation previous)
        {
            this.number = copy.number;
            this.material = copy.material;
            this.previous = previous;
            this.alias = copy.alias;
            this.chain = copy.chain;
            this.validator = copy.validator;
        }

        /**
         * Whether the key suits a key type the TLS library asks for: {@code EC}, {@code RSA}, or a variant such as
         * {@code EC_EC} (the key's algorithm, then the issuer's).
         */
        boolean matches(final String keyType)
        {
            if (keyType == null)
            {
                return true;
            }
            final String algorithm = material.privateKey().getAlgorithm();
            return keyType.equals(algorithm) || keyType.startsWith(algorithm + "_")
                || ("EC".equals(algorithm) && "ECDSA".equals(keyType));
        }
    }
}
