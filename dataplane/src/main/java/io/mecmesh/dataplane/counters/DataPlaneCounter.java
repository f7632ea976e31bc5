package io.mecmesh.dataplane.counters;

/**
 * Every outcome the data plane counts, in one place. Each constant is exported as a Prometheus counter named
 * {@code mecmesh_<metricName>_total} (responses by class share one metric with a {@code class} label).
 */
public enum DataPlaneCounter
{
    DOWNSTREAM_CONNECTIONS("downstream_connections", "Downstream connections accepted."),
    REQUESTS("requests", "Request heads received downstream, well-formed or not."),
    BAD_REQUESTS("bad_requests", "Requests rejected as malformed (400, 414, 431) before routing."),
    NO_ROUTE("no_route", "Requests that matched no route (404)."),
    DIRECT_RESPONSES("direct_responses", "Requests answered by a direct-response or redirect route."),
    TCP_CONNECTIONS("tcp_connections", "Connections of L4 (TCP) listeners relayed to an upstream endpoint."),
    TCP_CONNECT_FAILURES("tcp_connect_failures",
        "Connections of L4 (TCP) listeners closed because no upstream endpoint could be reached."),
    TLS_HANDSHAKES("tls_handshakes", "TLS handshakes completed on listeners."),
    TLS_HANDSHAKE_FAILURES("tls_handshake_failures",
        "TLS handshakes that failed on listeners (peer refused, protocol mismatch, not TLS at all)."),
    TLS_NO_CLIENT_CERTIFICATE("tls_no_client_certificate",
        "TLS handshakes on mesh listeners refused because the peer sent no certificate."),
    TLS_NO_VALID_IDENTITY("tls_no_valid_identity",
        "Connections to TLS listeners closed before the handshake because this node has no valid identity yet."),
    AUTHZ_DENIED_BY_RULE("authz_denied_by_rule", "Requests refused (403) because a deny rule matched the caller."),
    AUTHZ_DENIED_NO_ALLOW_RULE("authz_denied_no_allow_rule",
        "Requests refused (403) because the route has allow rules and none matched the caller."),
    RESPONSES_1XX("responses_1xx", "Informational responses sent downstream."),
    RESPONSES_2XX("responses_2xx", "Final responses with a 2xx status sent downstream."),
    RESPONSES_3XX("responses_3xx", "Final responses with a 3xx status sent downstream."),
    RESPONSES_4XX("responses_4xx", "Final responses with a 4xx status sent downstream."),
    RESPONSES_5XX("responses_5xx", "Final responses with a 5xx status sent downstream."),
    UPSTREAM_CONNECTIONS("upstream_connections", "Upstream connections opened."),
    UPSTREAM_CONNECT_FAILURES("upstream_connect_failures", "Upstream connection attempts that failed (502)."),
    UPSTREAM_RESETS("upstream_resets", "Upstream connections closed before the response was complete."),
    UPSTREAM_TLS_FAILURES("upstream_tls_failures",
        "Upstream connections whose TLS handshake failed (certificate refused by either side, no common protocol): "
            + "502 naming the reason."),
    UPSTREAM_REUSE_RETRIES("upstream_reuse_retries",
        "Bodiless requests retried on a new connection because a pooled one was closed by the upstream."),
    UPSTREAM_RETRIES("upstream_retries", "Attempts retried (connect failure, reset, per-try timeout, retried status)."),
    UPSTREAM_RETRY_BUDGET_EXHAUSTED("upstream_retry_budget_exhausted",
        "Retries refused because the route's retry budget was spent."),
    UPSTREAM_PER_TRY_TIMEOUTS("upstream_per_try_timeouts",
        "Attempts that had no response head within the per-try timeout."),
    UPSTREAM_TIMEOUTS("upstream_timeouts", "Requests answered 504: no response head within the route's timeout."),
    DOWNSTREAM_RESETS("downstream_resets", "Downstream connections closed before the response was complete."),
    // listener hardening
    REJECTED_CONTENT_LENGTH_WITH_TRANSFER_ENCODING("rejected_content_length_with_transfer_encoding",
        "Requests rejected (400) for carrying both Content-Length and Transfer-Encoding."),
    REJECTED_INVALID_CONTENT_LENGTH("rejected_invalid_content_length",
        "Requests rejected (400) for a duplicate, conflicting or non-numeric Content-Length."),
    REJECTED_INVALID_TRANSFER_ENCODING("rejected_invalid_transfer_encoding",
        "Requests rejected (400) for a Transfer-Encoding other than one chunked on HTTP/1.1."),
    REJECTED_BARE_LF("rejected_bare_lf",
        "Requests rejected (400) for a line ended by a bare LF where CRLF is required."),
    REJECTED_INVALID_CHUNK("rejected_invalid_chunk",
        "Requests rejected (400, or closed when the response had started) for a malformed chunk or trailer."),
    REJECTED_INVALID_HEADER("rejected_invalid_header",
        "Requests rejected (400) for a malformed header field: name, value, or whitespace before the colon."),
    REJECTED_INVALID_REQUEST_LINE("rejected_invalid_request_line",
        "Requests rejected (400) for a malformed request line (method, separators, version syntax)."),
    REJECTED_INVALID_REQUEST_TARGET("rejected_invalid_request_target",
        "Requests rejected (400) for a request-target that is not a valid origin, absolute or asterisk form."),
    REJECTED_INVALID_HOST("rejected_invalid_host",
        "Requests rejected (400) for a missing, repeated, malformed or conflicting Host."),
    REJECTED_UNSUPPORTED_VERSION("rejected_unsupported_version",
        "Requests rejected (505) for an HTTP version other than 1.0 and 1.1."),
    REJECTED_METHOD_NOT_SUPPORTED("rejected_method_not_supported",
        "Requests rejected (501) for a method the listener does not proxy (CONNECT)."),
    REJECTED_URI_TOO_LONG("rejected_uri_too_long", "Requests rejected (414) for a request line too long."),
    REJECTED_HEADERS_TOO_LARGE("rejected_headers_too_large",
        "Requests rejected (431) for too many header bytes or header fields."),
    REJECTED_BODY_TOO_LARGE("rejected_body_too_large",
        "Requests rejected (413, or closed when the response had started) for a body over the listener's limit."),
    REJECTED_MALFORMED("rejected_malformed", "Requests rejected (400) as malformed for any other reason."),
    REQUEST_HEADER_TIMEOUTS("request_header_timeouts",
        "Connections closed with 408 because a request head did not complete in time (slowloris)."),
    REQUEST_BODY_TIMEOUTS("request_body_timeouts",
        "Requests whose body made no progress within the listener's body timeout: 408 (or close, or RST_STREAM)."),
    IDLE_TIMEOUTS("idle_timeouts", "Downstream connections closed after waiting idle for a request."),
    HTTP2_RESET_BUDGET_CLOSES("http2_reset_budget_closes",
        "HTTP/2 downstream connections closed (GOAWAY ENHANCE_YOUR_CALM) because the process-wide budget of stream "
            + "resets was spent: the connections that reset most, first (Rapid Reset)."),
    HTTP2_CLIENT_ERRORS("http2_client_errors",
        "HTTP/2 downstream connections closed with GOAWAY for a client's connection error (protocol error, flood "
            + "of CONTINUATION, RST_STREAM or control frames); logged as one line, at most one per second."),
    HTTP2_IDLE_TIMEOUTS("http2_idle_timeouts",
        "HTTP/2 downstream connections closed with GOAWAY: no open stream and no frame within the idle timeout."),
    HTTP2_HEADER_TIMEOUTS("http2_header_timeouts",
        "HTTP/2 downstream connections closed because a header block (HEADERS, CONTINUATION) did not complete in "
            + "time."),
    CONNECTIONS_REFUSED("connections_refused",
        "Downstream connections closed at accept because the listener had its maximum open."),
    MAX_REQUESTS_CLOSES("max_requests_closes",
        "Downstream connections closed after their last allowed request (max requests per connection)."),
    // data plane, issue 3: circuit breakers, mirroring
    UPSTREAM_CIRCUIT_OPEN("upstream_circuit_open",
        "Requests answered 503 or retries not made because a cluster's circuit breaker was open."),
    MIRRORED_REQUESTS("mirrored_requests", "Requests copied to a route's mirror cluster."),
    // issue 13 item 9: the wait queue of a cluster's active-request limit
    UPSTREAM_QUEUED("upstream_queued",
        "Requests that waited for a slot of their cluster's active-request limit (maxActiveRequestsPerLoop)."),
    UPSTREAM_QUEUE_EXPIRED("upstream_queue_expired",
        "Requests answered 504 because their timeout passed while they waited for an active-request slot."),
    MIRROR_FAILURES("mirror_failures",
        "Mirrored requests that failed (connect failure, reset, circuit open); the client never sees them."),
    // data plane, issue 3: HTTP/2 upstream GOAWAY
    UPSTREAM_GOAWAYS("upstream_goaways",
        "HTTP/2 upstream connections that received GOAWAY: no new stream on them, the next opens a new connection."),
    UPSTREAM_GOAWAY_RESENDS("upstream_goaway_resends",
        "Requests whose stream an upstream GOAWAY refused unprocessed, sent again on a new connection (not retries)."),
    // QoS, issue 13 item 10: DSCP marking
    DSCP_MARK_FAILURES("dscp_mark_failures",
        "Sockets that could not be marked with their slice's DSCP (IP_TOS / IPV6_TCLASS refused by the transport or "
            + "the kernel): their packets leave unmarked."),
    // observability, issue 16 item 4: access log
    ACCESS_LOG_DROPPED("access_log_dropped",
        "Access-log records dropped because the ring to the access-log agent was full (the event loop never waits).");

    private final String metricName;
    private final String help;

    DataPlaneCounter(final String metricName, final String help)
    {
        this.metricName = metricName;
        this.help = help;
    }

    /**
     * @return the metric name without the {@code mecmesh_} prefix and the {@code _total} suffix.
     */
    public String metricName()
    {
        return metricName;
    }

    /**
     * @return one sentence for the metric's HELP line.
     */
    public String help()
    {
        return help;
    }

    /**
     * @param status an HTTP status code.
     * @return the responses-by-class counter for it.
     */
    public static DataPlaneCounter responseClass(final int status)
    {
        if (status < 200)
        {
            return RESPONSES_1XX;
        }
        if (status < 300)
        {
            return RESPONSES_2XX;
        }
        if (status < 400)
        {
            return RESPONSES_3XX;
        }
        return status < 500 ? RESPONSES_4XX : RESPONSES_5XX;
    }
}
