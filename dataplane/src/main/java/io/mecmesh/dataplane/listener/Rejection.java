package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.http.HeadViolationException;
import io.mecmesh.dataplane.http.HeadViolation;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;

/**
 * Why the listener refuses a request: the status it answers, the counter it increments and the one line it puts in
 * the body. Every rejection closes the connection, because what follows on it can no longer be framed with
 * certainty.
 */
enum Rejection
{
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING(HttpResponseStatus.BAD_REQUEST,
        DataPlaneCounter.REJECTED_CONTENT_LENGTH_WITH_TRANSFER_ENCODING, "both Content-Length and Transfer-Encoding"),
    INVALID_CONTENT_LENGTH(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_INVALID_CONTENT_LENGTH,
        "invalid Content-Length"),
    INVALID_TRANSFER_ENCODING(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING,
        "invalid Transfer-Encoding (only chunked, once, on HTTP/1.1)"),
    BARE_LF(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_BARE_LF, "line not ended by CRLF"),
    INVALID_CHUNK(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_INVALID_CHUNK, "invalid chunked body"),
    INVALID_HEADER(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_INVALID_HEADER, "invalid header field"),
    INVALID_REQUEST_LINE(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_INVALID_REQUEST_LINE,
        "invalid request line"),
    INVALID_REQUEST_TARGET(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_INVALID_REQUEST_TARGET,
        "invalid request target"),
    INVALID_HOST(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_INVALID_HOST,
        "missing, repeated, invalid or conflicting Host"),
    UNSUPPORTED_VERSION(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, DataPlaneCounter.REJECTED_UNSUPPORTED_VERSION,
        "only HTTP/1.0 and HTTP/1.1 are supported"),
    METHOD_NOT_SUPPORTED(HttpResponseStatus.NOT_IMPLEMENTED, DataPlaneCounter.REJECTED_METHOD_NOT_SUPPORTED,
        "CONNECT is not supported"),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, DataPlaneCounter.REJECTED_URI_TOO_LONG,
        "request line too long"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, DataPlaneCounter.REJECTED_HEADERS_TOO_LARGE,
        "request header fields too large"),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, DataPlaneCounter.REJECTED_BODY_TOO_LARGE,
        "request body too large"),
    HEADER_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, DataPlaneCounter.REQUEST_HEADER_TIMEOUTS,
        "request head not received in time"),
    BODY_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, DataPlaneCounter.REQUEST_BODY_TIMEOUTS,
        "request body not received in time"),
    MALFORMED(HttpResponseStatus.BAD_REQUEST, DataPlaneCounter.REJECTED_MALFORMED, "malformed request");

    private final HttpResponseStatus status;
    private final DataPlaneCounter counter;
    private final String reason;

    Rejection(final HttpResponseStatus status, final DataPlaneCounter counter, final String reason)
    {
        this.status = status;
        this.counter = counter;
        this.reason = reason;
    }

    HttpResponseStatus status()
    {
        return status;
    }

    DataPlaneCounter counter()
    {
        return counter;
    }

    /**
     * @return the body line of the response: why it was refused.
     */
    String reason()
    {
        return (status.code() == 400 ? "malformed request: " : "request refused: ") + reason;
    }

    /**
     * @return whether {@link DataPlaneCounter#BAD_REQUESTS} counts it too (the 400, 414 and 431 answers).
     */
    boolean isBadRequest()
    {
        final int code = status.code();
        return code == 400 || code == 414 || code == 431;
    }

    /**
     * Classifies a failure of the data plane's HTTP/1.1 decoder ({@code Http1ServerCodec}).
     *
     * @param violation what the decoder refused.
     * @param inHead    whether it is in a request head (else in a body part: a chunk or the trailer).
     * @return the rejection.
     */
    static Rejection ofViolation(final HeadViolation violation, final boolean inHead)
    {
        if (violation == HeadViolation.BARE_LF)
        {
            return BARE_LF;
        }
        if (!inHead)
        {
            return INVALID_CHUNK;
        }
        return switch (violation)
        {
            case LINE_TOO_LONG -> URI_TOO_LONG;
            case HEADERS_TOO_LARGE -> HEADERS_TOO_LARGE;
            case INVALID_REQUEST_LINE -> INVALID_REQUEST_LINE;
            case INVALID_HEADER -> INVALID_HEADER;
            case CONTENT_LENGTH_WITH_TRANSFER_ENCODING -> CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
            case INVALID_CONTENT_LENGTH -> INVALID_CONTENT_LENGTH;
            case INVALID_TRANSFER_ENCODING -> INVALID_TRANSFER_ENCODING;
            case INVALID_CHUNK -> INVALID_CHUNK;
            default -> MALFORMED;
        };
    }

    /**
     * Classifies a failure of the HTTP/1.1 decoder. Netty reports most of them as exceptions of their own type;
     * the rest are {@link IllegalArgumentException}s told apart by their message (pinned by {@code SmugglingTest}),
     * with {@link #MALFORMED} when none matches.
     *
     * @param cause  the decoder's failure.
     * @param inHead whether the failure is in a request head (else in a body part: a chunk or the trailer).
     * @return the rejection.
     */
    static Rejection ofDecoderFailure(final Throwable cause, final boolean inHead)
    {
        if (cause instanceof HeadViolationException failure)
        {
            return ofViolation(failure.violation(), inHead);
        }
        final String message = cause.getMessage() == null ? "" : cause.getMessage();
        if (cause instanceof InvalidLineSeparatorException || message.startsWith("Line Feed must be preceded"))
        {
            return BARE_LF;
        }
        if (cause instanceof TooLongHttpLineException)
        {
            return URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException)
        {
            return HEADERS_TOO_LARGE;
        }
        if (cause instanceof TooLongFrameException)
        {
            return BODY_TOO_LARGE;
        }
        if (!inHead)
        {
            return INVALID_CHUNK;
        }
        if (cause instanceof ContentLengthNotAllowedException)
        {
            return CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
        }
        if (cause instanceof TransferEncodingNotAllowedException)
        {
            return INVALID_TRANSFER_ENCODING;
        }
        if (message.startsWith("a header name") || message.startsWith("Validation failed for header")
            || message.startsWith("Invalid separator") || message.startsWith("No colon"))
        {
            return INVALID_HEADER;
        }
        if (message.contains("Content-Length"))
        {
            return INVALID_CONTENT_LENGTH;
        }
        if (message.contains("Transfer-Encoding") || message.contains("transfer coding") || message.contains("chunked"))
        {
            return INVALID_TRANSFER_ENCODING;
        }
        if (message.contains("version") || message.contains("Method") || message.contains("request line")
            || message.contains("HTTP/0.9"))
        {
            return INVALID_REQUEST_LINE;
        }
        if (message.contains("header"))
        {
            return INVALID_HEADER;
        }
        return MALFORMED;
    }
}
