package io.mecmesh.dataplane.route;

import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.counters.RouteStats;
import io.mecmesh.dataplane.counters.StatsRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A compiled route: its configuration with the expressions compiled, the clusters of a forward action resolved and
 * its retry budget. Immutable but for the budget; shared by every event loop.
 */
public final class Route
{
    private final RouteConfig config;
    private final PathMatch.Kind pathKind;
    private final String pathValue;
    private final Pattern pathPattern;
    private final String[] methods;
    private final HeaderCondition[] headers;
    private final Cluster[] clusters;
    private final int[] cumulativeWeights;
    private final RetryBudget retryBudget;
    private final boolean[] retriedStatuses = new boolean[600];
    private final RouteStats stats;
    private final Cluster mirrorCluster;
    private final int mirrorPercent;
    private final AtomicLong mirrorTicket = new AtomicLong();

    Route(final RouteConfig config, final Map<String, Cluster> clustersByName, final StatsRegistry registry)
    {
        this.config = requireNonNull(config, "config");
        this.stats = registry.route(statsName(config));
        final RouteMatch match = config.match();
        pathKind = match.path().kind();
        pathValue = match.path().value();
        pathPattern = pathKind == PathMatch.Kind.REGEX ? Pattern.compile(pathValue) : null;
        methods = match.methods().toArray(new String[0]);
        headers = match.headers().stream().map(HeaderCondition::new).toArray(HeaderCondition[]::new);
        if (config.action() instanceof RouteAction.Forward forward)
        {
            final List<WeightedCluster> weighted = forward.clusters();
            clusters = new Cluster[weighted.size()];
            cumulativeWeights = new int[weighted.size()];
            int total = 0;
            for (int i = 0; i < clusters.length; i++)
            {
                clusters[i] = clustersByName.get(weighted.get(i).cluster());
                if (clusters[i] == null)
                {
                    throw new IllegalArgumentException("no cluster named \"" + weighted.get(i).cluster() + "\"");
                }
                total += weighted.get(i).weight();
                cumulativeWeights[i] = total;
            }
            retryBudget = new RetryBudget(forward.retry().budgetRatio(), forward.retry().minRetriesPerSecond());
            for (final int status : forward.retry().retryOnStatuses())
            {
                retriedStatuses[status] = true;
            }
            final Mirror mirror = forward.mirror().orElse(null);
            mirrorCluster = mirror == null ? null : clustersByName.get(mirror.cluster());
            if (mirror != null && mirrorCluster == null)
            {
                throw new IllegalArgumentException("mirror.cluster: no cluster named \"" + mirror.cluster() + "\"");
            }
            mirrorPercent = mirror == null ? 0 : mirror.percent();
        }
        else
        {
            clusters = new Cluster[0];
            cumulativeWeights = new int[0];
            retryBudget = new RetryBudget(0, 0);
            mirrorCluster = null;
            mirrorPercent = 0;
        }
    }

    public RouteConfig config()
    {
        return config;
    }

    /**
     * @return what happened on this route (kept across configuration versions under its name).
     */
    public RouteStats stats()
    {
        return stats;
    }

    /** The route's name, or for an unnamed route its host and path condition. */
    static String statsName(final RouteConfig config)
    {
        if (!config.name().isEmpty())
        {
            return config.name();
        }
        final PathMatch path = config.match().path();
        return config.match().authority() + (path.kind() == PathMatch.Kind.PREFIX ? " " + path.value() + "*"
            : path.kind() == PathMatch.Kind.EXACT ? " " + path.value() : " ~" + path.value());
    }

    public RouteAction action()
    {
        return config.action();
    }

    /**
     * Picks the cluster of a forward action by weight.
     *
     * @return the cluster for this request.
     */
    public Cluster pickCluster()
    {
        if (clusters.length == 1)
        {
            return clusters[0];
        }
        final int ticket = ThreadLocalRandom.current().nextInt(cumulativeWeights[cumulativeWeights.length - 1]);
        for (int i = 0; i < cumulativeWeights.length; i++)
        {
            if (ticket < cumulativeWeights[i])
            {
                return clusters[i];
            }
        }
        return clusters[clusters.length - 1];
    }

    /**
     * @return the clusters of a forward action, in configuration order (empty for other actions).
     */
    public List<Cluster> clusters()
    {
        return List.of(clusters);
    }

    /**
     * Decides whether this request is mirrored: exactly {@code percent} of every 100 consecutive calls say yes,
     * evenly spread (the ones where {@code floor(n * percent / 100)} steps up). Allocates nothing.
     *
     * @return the mirror cluster for this request, or {@code null} when it is not mirrored (or the route has no
     * mirror).
     */
    public Cluster pickMirror()
    {
        if (mirrorCluster == null || mirrorPercent == 0)
        {
            return null;
        }
        final long n = mirrorTicket.getAndIncrement();
        return (n + 1) * mirrorPercent / 100 > n * mirrorPercent / 100 ? mirrorCluster : null;
    }

    public RetryBudget retryBudget()
    {
        return retryBudget;
    }

    /**
     * {@code retry().retryOnStatuses().contains(status)} without boxing the status.
     *
     * @param status a response status.
     * @return true when the forward action's retry policy retries it.
     */
    public boolean retriesOnStatus(final int status)
    {
        return status >= 0 && status < retriedStatuses.length && retriedStatuses[status];
    }

    /**
     * Tests path, method and headers (the authority was chosen by the table).
     *
     * @param request the request head, or {@code null} to match routes without method or header conditions only.
     * @param path    the request path in origin form (may carry a query string).
     * @return true when the route takes the request.
     */
    boolean matches(final RequestHead request, final CharSequence path)
    {
        if (!matchesPath(path))
        {
            return false;
        }
        if (request == null)
        {
            return methods.length == 0 && headers.length == 0;
        }
        if (methods.length > 0)
        {
            final String method = request.method().name();
            boolean found = false;
            for (final String candidate : methods)
            {
                if (candidate.equals(method))
                {
                    found = true;
                    break;
                }
            }
            if (!found)
            {
                return false;
            }
        }
        final HeaderFields requestHeaders = request.headerFields();
        for (final HeaderCondition header : headers)
        {
            if (!header.matches(requestHeaders))
            {
                return false;
            }
        }
        return true;
    }

    private boolean matchesPath(final CharSequence path)
    {
        switch (pathKind)
        {
            case PREFIX:
                return startsWith(path, pathValue);
            case EXACT:
                final int query = indexOfQuery(path);
                final int length = query < 0 ? path.length() : query;
                return length == pathValue.length() && startsWith(path, pathValue);
            case REGEX:
            default:
                final int q = indexOfQuery(path);
                return pathPattern.matcher(q < 0 ? path : path.subSequence(0, q)).matches();
        }
    }

    /** Whether {@code text} starts with {@code prefix}, exactly; allocates nothing. */
    static boolean startsWith(final CharSequence text, final String prefix)
    {
        if (text.length() < prefix.length())
        {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++)
        {
            if (text.charAt(i) != prefix.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static int indexOfQuery(final CharSequence path)
    {
        for (int i = 0; i < path.length(); i++)
        {
            if (path.charAt(i) == '?')
            {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString()
    {
        return "Route[" + config + "]";
    }

    private static final class HeaderCondition
    {
        private final String name;
        private final HeaderMatch.Kind kind;
        private final String value;
        private final Pattern pattern;

        HeaderCondition(final HeaderMatch match)
        {
            name = match.name();
            kind = match.kind();
            value = match.value();
            pattern = kind == HeaderMatch.Kind.REGEX ? Pattern.compile(value) : null;
        }

        /** Compares the first field of the name, as bytes (a regular expression allocates its matcher). */
        boolean matches(final HeaderFields fields)
        {
            final int entry = fields.indexOf(name, 0);
            switch (kind)
            {
                case PRESENT:
                    return entry >= 0;
                case ABSENT:
                    return entry < 0;
                case EXACT:
                    return entry >= 0 && fields.valueEquals(entry, value, false);
                case REGEX:
                default:
                    return entry >= 0 && pattern.matcher(fields.valueView(entry, new TextFlyweight())).matches();
            }
        }
    }
}
