package io.mecmesh.slicemanager.http;

/**
 * A handler of an HTTP API's requests under one path prefix. It runs on a worker thread (it may block: journal
 * writes, signing), never on an event loop, and answers each exchange exactly once.
 */
@FunctionalInterface
public interface ApiHandler
{
    /**
     * Handles one request: reads the exchange and answers it with {@link ApiExchange#respond}.
     *
     * @param exchange the request; answered by this call.
     */
    void handle(ApiExchange exchange);

    /**
     * @return the largest request body the handler accepts; the server reads one byte more at most, so the handler
     *     can answer 413 itself.
     */
    default int maxBodyBytes()
    {
        return 64 * 1024;
    }
}
