package io.mecmesh.appliance.control;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.mecapi.MecApiConfig;
import io.mecmesh.mecapi.MecApiServer;
import io.mecmesh.mecapi.MecApiTls;
import io.mecmesh.mecapi.NotificationCounter;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.ca.CaDirectory;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.ca.ControlPlaneIdentity;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The ETSI MEC 011 API of a control plane ({@code controlPlane.mecApi}), served over TLS with the control plane's
 * SVID: the control-plane API's when it serves TLS, else one issued for this API from the CA (and renewed) here.
 * Applications authenticate with X.509-SVIDs of the CA's trust domain.
 */
public final class MecApi implements AutoCloseable
{
    private final MecApiServer server;
    private final Optional<ControlPlaneIdentity> ownIdentity;

    private MecApi(final MecApiServer server, final Optional<ControlPlaneIdentity> ownIdentity)
    {
        this.server = server;
        this.ownIdentity = ownIdentity;
    }

    /**
     * Starts the MEC API.
     *
     * @param config     {@code controlPlane.mecApi}.
     * @param controlApi the control-plane API (its SVID is reused when it has one).
     * @param ca         the control plane's CA: required (it issues the SVID and is the applications' trust bundle).
     * @param svidTtl    the lifetime of an SVID issued here.
     * @param backend    the slice manager.
     * @return the running API.
     * @throws ApplianceException CONFIG without a CA; UNAVAILABLE when it cannot issue its SVID or bind.
     */
    public static MecApi start(final MecApiConfig config, final ControlApiServer controlApi,
        final Optional<CaDirectory> ca, final Duration svidTtl, final ControlPlaneBackend backend)
    {
        requireNonNull(config, "config");
        requireNonNull(controlApi, "controlApi");
        requireNonNull(ca, "ca");
        requireNonNull(backend, "backend");
        final CaDirectory directory = ca.orElseThrow(() -> new ApplianceException(ApplianceException.Category.CONFIG,
            "controlPlane.mecApi: the MEC API is served over TLS with the control plane's SVID and authenticates "
                + "applications by their certificates, which needs the ca section"));
        Optional<ControlPlaneIdentity> own = Optional.empty();
        final TlsMaterialSource keys;
        if (controlApi.identity().isPresent())
        {
            keys = controlApi.identity().get();
        }
        else
        {
            try
            {
                own = Optional.of(ControlPlaneIdentity.start(directory, svidTtl, InstantSource.system()));
            }
            catch (final CertificateAuthorityException ex)
            {
                throw new ApplianceException(ApplianceException.Category.UNAVAILABLE,
                    "controlPlane.mecApi: cannot issue the control plane's SVID: " + ex.getMessage(), ex);
            }
            keys = own.get().source();
        }
        try
        {
            final MecApiServer server = MecApiServer.start(config, new MecApiTls(keys,
                () -> new X509SvidValidator(directory.trustBundle()), directory.authority().trustDomain()), backend);
            return new MecApi(server, own);
        }
        catch (final IllegalStateException ex)
        {
            own.ifPresent(ControlPlaneIdentity::close);
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, ex.getMessage(), ex);
        }
    }

    /**
     * @param counter an outcome of the MEC 011 notifications sent to subscribers.
     * @return how many had it since start.
     */
    public long notifications(final NotificationCounter counter)
    {
        return server.notifications(counter);
    }

    /**
     * @return the bound TCP port.
     */
    public int port()
    {
        return server.port();
    }

    @Override
    public void close()
    {
        server.close();
        ownIdentity.ifPresent(ControlPlaneIdentity::close);
    }
}
