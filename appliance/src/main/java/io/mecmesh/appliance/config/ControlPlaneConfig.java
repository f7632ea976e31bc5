package io.mecmesh.appliance.config;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.mecapi.MecApiConfig;
import io.mecmesh.slicemanager.ca.ApiRole;
import io.mecmesh.slicemanager.cluster.MemberAddress;
import io.mecmesh.slicemanager.distribution.DistributionChannels;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How the control plane and the nodes reach each other ({@code controlPlane} in {@code appliance.yaml}).
 * Role {@code control} binds the API and the Aeron endpoints on {@code address}; role {@code edge} sends to them
 * and receives its configurations on {@code nodeEndpoint}; role {@code all} uses the API port only (distribution is
 * Aeron IPC inside the process).
 *
 * @param address      the control plane's address (bound by the control plane, reached by the nodes).
 * @param apiPort      TCP port of the control-plane API: {@code api.port} (the key {@code apiPort} is its
 *                     deprecated alias).
 * @param configPort   UDP port of the Aeron control endpoint nodes register on to receive configurations.
 * @param ackPort      UDP port the control plane receives acknowledgements and heartbeats on.
 * @param nodeEndpoint edge: {@code host:port} (UDP) this node receives configurations on; empty otherwise.
 * @param keyFile      the HMAC key shared by the control plane and its nodes (at least 32 bytes; keep it 0600), or
 *                     {@code null} for role {@code all} (a key is generated per process).
 * @param configVerificationKeys edge: a PEM file of the control plane's configuration-verification keys (its
 *                     {@code config-verification.pem}); without it the keys come with the trust bundle, else the node
 *                     pins the keys of its first authenticated configuration.
 * @param api          the API's own listener ({@code controlPlane.api}).
 * @param mecApi       the ETSI MEC 011 (Mp1) API's listener ({@code controlPlane.mecApi}), empty for none: TLS with
 *                     the control plane's SVID, applications authenticated by their client certificates.
 * @param cluster      {@code controlPlane.cluster}: whether the desired state runs as a one-member Aeron Cluster
 *                     (issue 18 step 1; roles control and all; default off).
 * @param shards       {@code controlPlane.distribution.shards}: CONFIG streams, on UDP control ports
 *                     {@code configPort} to {@code configPort + shards - 1}; node {@code n} is in shard
 *                     {@code hash(n) mod shards}. Control plane and edges must agree.
 */
public record ControlPlaneConfig(
    String address, int apiPort, int configPort, int ackPort, String nodeEndpoint, Path keyFile,
    Optional<Path> configVerificationKeys, Api api, Optional<MecApiConfig> mecApi, Cluster cluster, int shards)
{
    /**
     * {@code controlPlane.cluster} (slice-manager/DESIGN-ha.md 2.1): one member on this host (step 1, ingress over
     * {@code aeron:ipc}) or {@code members} of three (five, seven) on their hosts, over UDP (step 2).
     *
     * @param enabled                whether writes go through an Aeron Cluster log (answered after commit).
     * @param commitTimeout          how long a write waits for its commit before the API answers 503.
     * @param memberId               this process's id among {@code members} (0 without members).
     * @param members                the members, ids 0..n-1 in order; empty for one member on this host.
     * @param leaderHeartbeatTimeout how long without the leader before an election (and a member calls itself stale).
     */
    public record Cluster(boolean enabled, Duration commitTimeout, int memberId, List<MemberAddress> members,
        Duration leaderHeartbeatTimeout)
    {
        /** Default commit timeout. */
        public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(5);
        /** Default leader heartbeat timeout (Aeron's is 10 s). */
        public static final Duration DEFAULT_LEADER_HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);
        /** The most members (DESIGN-ha.md 2.1). */
        public static final int MAX_MEMBERS = 7;
        /** The single-process conductor, as before issue 18. */
        public static final Cluster DISABLED = new Cluster(false, DEFAULT_COMMIT_TIMEOUT);

        /**
         * One member on this host.
         *
         * @param enabled       whether writes go through the cluster log.
         * @param commitTimeout how long a write waits for its commit.
         */
        public Cluster(final boolean enabled, final Duration commitTimeout)
        {
            this(enabled, commitTimeout, 0, List.of(), DEFAULT_LEADER_HEARTBEAT_TIMEOUT);
        }

        public Cluster
        {
            requireNonNull(commitTimeout, "commitTimeout");
            requireNonNull(leaderHeartbeatTimeout, "leaderHeartbeatTimeout");
            members = List.copyOf(requireNonNull(members, "members"));
            if (commitTimeout.isNegative() || commitTimeout.isZero())
            {
                throw new IllegalArgumentException("commitTimeout: must be positive, was " + commitTimeout);
            }
            if (leaderHeartbeatTimeout.isNegative() || leaderHeartbeatTimeout.isZero())
            {
                throw new IllegalArgumentException("leaderHeartbeatTimeoutMs: must be positive, was "
                    + leaderHeartbeatTimeout.toMillis());
            }
            validateMembers(memberId, members);
        }

        private static void validateMembers(final int memberId, final List<MemberAddress> members)
        {
            if (members.isEmpty())
            {
                if (memberId != 0)
                {
                    throw new IllegalArgumentException("memberId: " + memberId + " is not among the members (no"
                        + " members given: one member, id 0)");
                }
                return;
            }
            if (members.size() > MAX_MEMBERS)
            {
                throw new IllegalArgumentException("members: at most " + MAX_MEMBERS + " members, got "
                    + members.size());
            }
            if (members.size() % 2 == 0)
            {
                throw new IllegalArgumentException("members: " + members.size() + " members cannot survive the loss"
                    + " of " + (members.size() / 2) + " of them, as " + (members.size() - 1) + " would, with the same"
                    + " quorum risk; use an odd count (1, 3, 5 or 7)");
            }
            for (int i = 0; i < members.size(); i++)
            {
                if (members.get(i).id() != i)
                {
                    throw new IllegalArgumentException("members[" + i + "].id: expected " + i + " (ids are 0 to "
                        + (members.size() - 1) + ", in order, each once), got " + members.get(i).id());
                }
            }
            if (memberId < 0 || memberId >= members.size())
            {
                throw new IllegalArgumentException("memberId: " + memberId + " is not among the members (ids 0 to "
                    + (members.size() - 1) + ")");
            }
            for (int i = 0; i < members.size(); i++)
            {
                for (int j = 0; j < i; j++)
                {
                    final MemberAddress a = members.get(i);
                    final MemberAddress b = members.get(j);
                    if (a.host().equals(b.host()) && Math.abs(a.basePort() - b.basePort()) < MemberAddress.PORTS)
                    {
                        throw new IllegalArgumentException("members[" + i + "].basePort: " + a.basePort() + " to "
                            + (a.basePort() + MemberAddress.PORTS - 1) + " overlaps member " + j + "'s ports "
                            + b.basePort() + " to " + (b.basePort() + MemberAddress.PORTS - 1) + " on " + a.host());
                    }
                }
            }
        }

        /**
         * @return whether this is a cluster of several members (UDP between them).
         */
        public boolean isMultiMember()
        {
            return members.size() > 1;
        }

        /**
         * @return this process's member, if members are given.
         */
        public Optional<MemberAddress> self()
        {
            return members.isEmpty() ? Optional.empty() : Optional.of(members.get(memberId));
        }
    }

    /**
     * A control plane without the cluster.
     *
     * @param address                the control plane's address.
     * @param apiPort                the API's port.
     * @param configPort             UDP port of the Aeron control endpoint.
     * @param ackPort                UDP port of acknowledgements.
     * @param nodeEndpoint           edge: {@code host:port} this node receives configurations on; empty otherwise.
     * @param keyFile                the distribution key file, or {@code null} for role {@code all}.
     * @param configVerificationKeys edge: the control plane's configuration-verification keys, if given.
     * @param api                    the API's listener.
     * @param mecApi                 the MEC API's listener, empty for none.
     */
    public ControlPlaneConfig(final String address, final int apiPort, final int configPort, final int ackPort,
        final String nodeEndpoint, final Path keyFile, final Optional<Path> configVerificationKeys, final Api api,
        final Optional<MecApiConfig> mecApi)
    {
        this(address, apiPort, configPort, ackPort, nodeEndpoint, keyFile, configVerificationKeys, api, mecApi,
            Cluster.DISABLED, 1);
    }

    /**
     * The control-plane API's listener ({@code controlPlane.api}): TLS 1.3 with the control plane's own SVID and
     * client certificates, unless {@code insecureLoopback} opts into plain HTTP on a loopback address. Nodes reach
     * the API (enrolment, renewal) at the same address and port.
     *
     * @param address          where the API listens (and nodes reach it).
     * @param port             its TCP port, 0 for one the kernel picks.
     * @param insecureLoopback plain HTTP without authentication: only on a loopback address.
     * @param roles            API roles by SPIFFE id prefix, besides operator certificates' role extension.
     */
    public record Api(String address, int port, boolean insecureLoopback, Map<SpiffeId, ApiRole> roles)
    {
        public Api
        {
            requireNonNull(address, "address");
            roles = Map.copyOf(requireNonNull(roles, "roles"));
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
            }
            if (insecureLoopback && !isLoopback(address))
            {
                throw new IllegalArgumentException("insecureLoopback: plain HTTP is allowed only on a loopback"
                    + " address, and the API's address is " + address + " (remove insecureLoopback to serve TLS)");
            }
        }

        /**
         * @param address an address or host name.
         * @return whether it is a loopback address ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}).
         */
        public static boolean isLoopback(final String address)
        {
            try
            {
                return InetAddress.getByName(address).isLoopbackAddress();
            }
            catch (final UnknownHostException ex)
            {
                return false;
            }
        }

        /**
         * @return the scheme nodes and the CLI use: {@code http} on the plain loopback API, else {@code https}.
         */
        public String scheme()
        {
            return insecureLoopback ? "http" : "https";
        }
    }

    /**
     * A control plane without a MEC API.
     *
     * @param address                the control plane's address.
     * @param apiPort                the API's port.
     * @param configPort             UDP port of the Aeron control endpoint.
     * @param ackPort                UDP port of acknowledgements.
     * @param nodeEndpoint           edge: {@code host:port} this node receives configurations on; empty otherwise.
     * @param keyFile                the distribution key file, or {@code null} for role {@code all}.
     * @param configVerificationKeys edge: the control plane's configuration-verification keys, if given.
     * @param api                    the API's listener.
     */
    public ControlPlaneConfig(final String address, final int apiPort, final int configPort, final int ackPort,
        final String nodeEndpoint, final Path keyFile, final Optional<Path> configVerificationKeys, final Api api)
    {
        this(address, apiPort, configPort, ackPort, nodeEndpoint, keyFile, configVerificationKeys, api,
            Optional.empty());
    }

    /**
     * A control plane whose API is the plain loopback one on {@code address:apiPort} (tests and embedded setups),
     * without explicit verification keys.
     *
     * @param address      the control plane's address (a loopback one).
     * @param apiPort      the API's port.
     * @param configPort   UDP port of the Aeron control endpoint.
     * @param ackPort      UDP port of acknowledgements.
     * @param nodeEndpoint edge: {@code host:port} this node receives configurations on; empty otherwise.
     * @param keyFile      the distribution key file, or {@code null} for role {@code all}.
     */
    public ControlPlaneConfig(final String address, final int apiPort, final int configPort, final int ackPort,
        final String nodeEndpoint, final Path keyFile)
    {
        this(address, apiPort, configPort, ackPort, nodeEndpoint, keyFile, Optional.empty(),
            new Api(address, apiPort, true, Map.of()), Optional.empty());
    }

    /** Default control-plane API port. */
    public static final int DEFAULT_API_PORT = 9902;
    /** Default UDP port of the configuration control endpoint. */
    public static final int DEFAULT_CONFIG_PORT = 40401;
    /** Default UDP port of acknowledgements. */
    public static final int DEFAULT_ACK_PORT = 40402;

    public ControlPlaneConfig
    {
        requireNonNull(address, "address");
        requireNonNull(nodeEndpoint, "nodeEndpoint");
        requireNonNull(configVerificationKeys, "configVerificationKeys");
        requireNonNull(api, "api");
        requireNonNull(mecApi, "mecApi");
        requireNonNull(cluster, "cluster");
        if (apiPort != api.port())
        {
            throw new IllegalArgumentException("apiPort: " + apiPort + " differs from api.port " + api.port()
                + " (apiPort is the deprecated name of api.port: give one)");
        }
        for (final int port : new int[] {apiPort, configPort, ackPort})
        {
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
            }
        }
        if (shards < 1 || shards > DistributionChannels.MAX_SHARDS)
        {
            throw new IllegalArgumentException("distribution.shards: expected 1 to " + DistributionChannels.MAX_SHARDS
                + ", got " + shards);
        }
        if (shards > 1 && (ackPort >= configPort && ackPort < configPort + shards || configPort + shards - 1 > 65535))
        {
            throw new IllegalArgumentException("distribution.shards: the " + shards + " shards use the UDP control ports "
                + configPort + " to " + (configPort + shards - 1) + ", which must stay at most 65535 and not include"
                + " ackPort " + ackPort + " (move ackPort or configPort)");
        }
        cluster.self().ifPresent(self -> requireNoClusterPortOverlap(self, configPort, ackPort, shards));
        if (!nodeEndpoint.isEmpty() && !nodeEndpoint.matches("[^|?=\\s]+:\\d{1,5}"))
        {
            throw new IllegalArgumentException("nodeEndpoint: expected host:port, got \"" + nodeEndpoint + "\"");
        }
    }

    /** This member's cluster ports (UDP) must not be the distribution's UDP ports. */
    private static void requireNoClusterPortOverlap(final MemberAddress self, final int configPort, final int ackPort,
        final int shards)
    {
        for (int port = self.basePort(); port < self.basePort() + MemberAddress.PORTS; port++)
        {
            if (port == ackPort || port >= configPort && port < configPort + shards)
            {
                throw new IllegalArgumentException("cluster.members[" + self.id() + "].basePort: its UDP ports "
                    + self.basePort() + " to " + (self.basePort() + MemberAddress.PORTS - 1) + " include "
                    + (port == ackPort ? "ackPort " : "configPort ") + port + " (move basePort, configPort or ackPort)");
            }
        }
    }

    /**
     * @return {@code address:configPort}.
     */
    public String configEndpoint()
    {
        return address + ":" + configPort;
    }

    /**
     * @return {@code address:ackPort}.
     */
    public String ackEndpoint()
    {
        return address + ":" + ackPort;
    }
}
