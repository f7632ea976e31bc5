package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.HeadViolation;
import io.mecmesh.dataplane.http.HeadViolationException;

/**
 * A decoding failure of {@link Http1ServerCodec} or {@link Http1ClientCodec}, with its {@link HeadViolation}.
 */
public final class Http1DecoderException extends HeadViolationException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param violation what was wrong.
     * @param message   details for logs.
     */
    public Http1DecoderException(final HeadViolation violation, final String message)
    {
        super(violation, message);
    }
}
