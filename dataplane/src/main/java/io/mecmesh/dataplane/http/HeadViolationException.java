package io.mecmesh.dataplane.http;

import io.netty.handler.codec.DecoderException;

/**
 * A decoding failure of a request or response head, with its {@link HeadViolation}: what a codec puts in the failed
 * message's {@link io.netty.handler.codec.DecoderResult}, so that the stages after the codec map it to an answer
 * without naming the codec. Without a stack trace: it says what was wrong with the bytes, not where the decoder was.
 */
public class HeadViolationException extends DecoderException
{
    private static final long serialVersionUID = 1L;

    private final HeadViolation violation;

    /**
     * @param violation what was wrong.
     * @param message   details for logs.
     */
    public HeadViolationException(final HeadViolation violation, final String message)
    {
        super(message);
        this.violation = violation;
    }

    /**
     * @return what was wrong.
     */
    public final HeadViolation violation()
    {
        return violation;
    }

    @Override
    public final synchronized Throwable fillInStackTrace()
    {
        return this;
    }
}
