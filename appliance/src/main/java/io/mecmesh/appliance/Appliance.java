package io.mecmesh.appliance;

import io.mecmesh.appliance.admin.AdminServer;
import io.mecmesh.appliance.admin.MetricsExport;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.DataPlaneException;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * A running appliance, assembled in one place: the data plane and the admin endpoint that observes it. Later
 * issues add the node agent, the identity client and the MEC API here, in the order they start.
 */
public final class Appliance implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);

    private final DataPlane dataPlane;
    private final AdminServer admin;

    private Appliance(final DataPlane dataPlane, final AdminServer admin)
    {
        this.dataPlane = dataPlane;
        this.admin = admin;
    }

    /**
     * Starts the data plane, then the admin endpoint; on failure stops what was started.
     *
     * @param config the validated configuration.
     * @return the running appliance.
     * @throws ApplianceException when something cannot start ({@code CONFIG} or {@code UNAVAILABLE}).
     */
    public static Appliance start(final ApplianceConfig config)
    {
        requireNonNull(config, "config");
        final DataPlaneCounters counters = new DataPlaneCounters();
        final DataPlane dataPlane;
        try
        {
            dataPlane = DataPlane.start(config.dataplane(), counters);
        }
        catch (final DataPlaneException ex)
        {
            throw new ApplianceException(ex.category() == DataPlaneException.Category.CONFIG
                ? ApplianceException.Category.CONFIG : ApplianceException.Category.UNAVAILABLE,
                (ex.category() == DataPlaneException.Category.CONFIG ? "dataplane." : "") + ex.getMessage(), ex);
        }
        try
        {
            final MetricsExport metrics = new MetricsExport(counters, dataPlane.peerRejections(), dataPlane::isReady,
                new MetricsExport.BuildInfo(
                Version.current(), dataPlane.transport().kind().name().toLowerCase(Locale.ROOT),
                Runtime.version().toString()));
            final AdminServer admin = AdminServer.start(config.admin(), dataPlane::isReady, metrics,
                dataPlane::config);
            LOG.info("mecmesh {} node {} started: listeners {}, admin {}", Version.current(), config.node().id(),
                dataPlane.listenerAddresses(), admin.address());
            return new Appliance(dataPlane, admin);
        }
        catch (final RuntimeException ex)
        {
            dataPlane.close();
            throw ex;
        }
    }

    public DataPlane dataPlane()
    {
        return dataPlane;
    }

    public InetSocketAddress adminAddress()
    {
        return admin.address();
    }

    /**
     * Stops the admin endpoint and the data plane; returns within about two seconds.
     */
    @Override
    public void close()
    {
        admin.close();
        dataPlane.close();
        LOG.info("mecmesh stopped");
    }
}
