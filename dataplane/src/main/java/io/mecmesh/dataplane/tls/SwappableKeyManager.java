package io.mecmesh.dataplane.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import static java.util.Objects.requireNonNull;

/**
 * A key manager that answers every handshake from a {@link TlsMaterialSource}, so that a swapped certificate is
 * presented from the next handshake on. Netty calls it per handshake as long as the key manager factory around it is
 * not a caching one ({@code OpenSslCachingX509KeyManagerFactory}); netty-tcnative still reuses its native copy of
 * the chain while the same certificate instances come back, so an unchanged source costs no re-encoding.
 */
final class SwappableKeyManager extends X509ExtendedKeyManager
{
    private final TlsMaterialSource source;

    SwappableKeyManager(final TlsMaterialSource source)
    {
        this.source = requireNonNull(source, "source");
    }

    private String clientAlias(final String[] keyTypes)
    {
        if (keyTypes == null)
        {
            return source.currentAlias();
        }
        for (final String keyType : keyTypes)
        {
            final String alias = source.aliasIfKeyType(keyType);
            if (alias != null)
            {
                return alias;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(final String keyType, final Principal[] issuers)
    {
        final String alias = source.aliasIfKeyType(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseClientAlias(final String[] keyTypes, final Principal[] issuers, final Socket socket)
    {
        return clientAlias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(final String[] keyTypes, final Principal[] issuers, final SSLEngine engine)
    {
        return clientAlias(keyTypes);
    }

    @Override
    public String[] getServerAliases(final String keyType, final Principal[] issuers)
    {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(final String keyType, final Principal[] issuers, final Socket socket)
    {
        return source.aliasIfKeyType(keyType);
    }

    @Override
    public String chooseEngineServerAlias(final String keyType, final Principal[] issuers, final SSLEngine engine)
    {
        return source.aliasIfKeyType(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(final String alias)
    {
        return source.chain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(final String alias)
    {
        return source.privateKey(alias);
    }
}
