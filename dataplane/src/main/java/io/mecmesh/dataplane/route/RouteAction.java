package io.mecmesh.dataplane.route;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a route does with the requests it takes.
 */
public sealed interface RouteAction permits RouteAction.Forward, RouteAction.Respond, RouteAction.Redirect
{
    /**
     * @return the names of the clusters this action sends requests to.
     */
    List<String> clusterNames();

    /**
     * Forward to a weighted set of clusters (a traffic split when there are several).
     *
     * @param clusters        at least one cluster with its weight.
     * @param timeoutMs       the whole exchange, retries included, must have its response head within this; 0 for
     *                        no limit. On expiry: 504.
     * @param perTryTimeoutMs each attempt must have its response head within this; 0 for no limit. An attempt
     *                        that times out is retried when the policy allows, else 504.
     * @param retry           the retry policy.
     * @param mirror          a share of the requests copied to another cluster, or empty.
     */
    record Forward(
        List<WeightedCluster> clusters,
        long timeoutMs,
        long perTryTimeoutMs,
        RetryPolicy retry,
        Optional<Mirror> mirror)
        implements RouteAction
    {
        public Forward
        {
            clusters = List.copyOf(requireNonNull(clusters, "clusters"));
            requireNonNull(retry, "retry");
            requireNonNull(mirror, "mirror");
            if (clusters.isEmpty())
            {
                throw new IllegalArgumentException("clusters: expected at least one cluster");
            }
            if (timeoutMs < 0 || perTryTimeoutMs < 0)
            {
                throw new IllegalArgumentException("timeoutMs: expected 0 (no limit) or more");
            }
        }

        /**
         * Forward without mirroring.
         *
         * @param clusters        at least one cluster with its weight.
         * @param timeoutMs       the whole exchange's limit, 0 for none.
         * @param perTryTimeoutMs each attempt's limit, 0 for none.
         * @param retry           the retry policy.
         */
        public Forward(
            final List<WeightedCluster> clusters,
            final long timeoutMs,
            final long perTryTimeoutMs,
            final RetryPolicy retry)
        {
            this(clusters, timeoutMs, perTryTimeoutMs, retry, Optional.empty());
        }

        /**
         * @param newMirror the share of requests to copy, and where.
         * @return this action, mirroring.
         */
        public Forward withMirror(final Mirror newMirror)
        {
            return new Forward(clusters, timeoutMs, perTryTimeoutMs, retry, Optional.of(newMirror));
        }

        /**
         * @param cluster the cluster.
         * @return forward everything to one cluster, with the default timeouts (15 s, no per-try limit) and
         * retry policy.
         */
        public static Forward to(final String cluster)
        {
            return new Forward(List.of(new WeightedCluster(cluster, 1)), 15_000, 0, RetryPolicy.DEFAULT);
        }

        @Override
        public List<String> clusterNames()
        {
            return clusters.stream().map(WeightedCluster::cluster).toList();
        }
    }

    /**
     * Answer directly, without an upstream.
     *
     * @param status the status.
     * @param body   the body (text).
     */
    record Respond(int status, String body) implements RouteAction
    {
        public Respond
        {
            requireNonNull(body, "body");
            if (status < 200 || status > 599)
            {
                throw new IllegalArgumentException("status: expected 200 to 599, got " + status);
            }
        }

        @Override
        public List<String> clusterNames()
        {
            return List.of();
        }
    }

    /**
     * Redirect the client. Empty parts keep the request's own.
     *
     * @param status 301, 302, 303, 307 or 308.
     * @param scheme the new scheme ({@code http} or {@code https}), or empty.
     * @param host   the new authority, or empty.
     * @param path   the new path (the query string is kept), or empty.
     */
    record Redirect(int status, String scheme, String host, String path) implements RouteAction
    {
        public Redirect
        {
            requireNonNull(scheme, "scheme");
            requireNonNull(host, "host");
            requireNonNull(path, "path");
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
            {
                throw new IllegalArgumentException("status: expected 301, 302, 303, 307 or 308, got " + status);
            }
            if (!scheme.isEmpty() && !scheme.equals("http") && !scheme.equals("https"))
            {
                throw new IllegalArgumentException("scheme: expected http or https, got \"" + scheme + "\"");
            }
            if (!path.isEmpty() && !path.startsWith("/"))
            {
                throw new IllegalArgumentException("path: must start with '/', got \"" + path + "\"");
            }
        }

        @Override
        public List<String> clusterNames()
        {
            return List.of();
        }
    }
}
