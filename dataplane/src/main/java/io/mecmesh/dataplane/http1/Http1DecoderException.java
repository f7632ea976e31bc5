package io.mecmesh.dataplane.http1;

import io.netty.handler.codec.DecoderException;

/**
 * A decoding failure of {@link Http1ServerCodec} or {@link Http1ClientCodec}, with its {@link Http1Violation}.
 * Without a stack trace: it says what was wrong with the bytes, not where the decoder was.
 */
public final class Http1DecoderException extends DecoderException
{
    private static final long serialVersionUID = 1L;

    private final Http1Violation violation;

    /**
     * @param violation what was wrong.
     * @param message   details for logs.
     */
    public Http1DecoderException(final Http1Violation violation, final String message)
    {
        super(message);
        this.violation = violation;
    }

    /**
     * @return what was wrong.
     */
    public Http1Violation violation()
    {
        return violation;
    }

    @Override
    public synchronized Throwable fillInStackTrace()
    {
        return this;
    }
}
