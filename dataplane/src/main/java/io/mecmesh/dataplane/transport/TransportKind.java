package io.mecmesh.dataplane.transport;

/**
 * The socket transport asked for in the configuration. {@link #AUTO} takes the best one that loads on this host.
 */
public enum TransportKind
{
    /** io_uring, else epoll, else NIO. */
    AUTO,
    /** Linux io_uring (kernel 5.14+); fails start when it cannot load. */
    IO_URING,
    /** Linux epoll; fails start when it cannot load. */
    EPOLL,
    /** Java NIO, available everywhere. */
    NIO
}
