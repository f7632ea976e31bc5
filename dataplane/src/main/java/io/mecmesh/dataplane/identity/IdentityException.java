package io.mecmesh.dataplane.identity;

import io.mecmesh.dataplane.error.DataPlaneException;

/**
 * Identity material (certificates, keys, trust bundles) that cannot be read or used: names the source and what is
 * wrong with it. Validation outcomes of a readable chain are not exceptions: see {@link X509SvidValidator.Result}.
 */
public final class IdentityException extends DataPlaneException
{
    private static final long serialVersionUID = 1L;

    public IdentityException(final String message)
    {
        super(Category.CONFIG, message);
    }

    public IdentityException(final String message, final Throwable cause)
    {
        super(Category.CONFIG, message, cause);
    }
}
