package io.mecmesh.dataplane.http;

/**
 * Why a head decoder (today the HTTP/1.1 one) refused what it read; carried by {@link HeadViolationException} in
 * the failed message's {@link io.netty.handler.codec.DecoderResult}. The listener stage maps each to its answer and counter.
 */
public enum HeadViolation
{
    /** A line ended by LF without CR. */
    BARE_LF,
    /** The request line (or a chunk-size line) is longer than allowed. */
    LINE_TOO_LONG,
    /** The header section (or trailer section) is larger than allowed. */
    HEADERS_TOO_LARGE,
    /** The request line is not {@code method SP request-target SP HTTP/x.y}. */
    INVALID_REQUEST_LINE,
    /** The status line is not {@code HTTP/x.y SP 3DIGIT SP reason}. */
    INVALID_STATUS_LINE,
    /** A header field's name or value is invalid (or whitespace before the colon, no colon, a fold first). */
    INVALID_HEADER,
    /** Both Content-Length and Transfer-Encoding. */
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
    /** Content-Length repeated or not 1 to 18 digits. */
    INVALID_CONTENT_LENGTH,
    /** Transfer-Encoding other than exactly one {@code chunked} on HTTP/1.1. */
    INVALID_TRANSFER_ENCODING,
    /** A malformed chunk size, chunk or trailer. */
    INVALID_CHUNK
}
