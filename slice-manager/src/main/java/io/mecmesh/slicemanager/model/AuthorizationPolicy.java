package io.mecmesh.slicemanager.model;

import io.mecmesh.dataplane.authz.PrincipalMatch;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Which mesh callers may reach a service, by SPIFFE id prefix (segment-wise; a trailing {@code /} is ignored, a prefix
 * without a path names a whole trust domain). The node that runs the service enforces it on every request that comes
 * with a certificate (a mesh hop from another node: the caller is that node's SVID,
 * {@code spiffe://TD/site/SITE/node/ID}): a caller outside the prefixes gets 403. Requests without a certificate
 * (the node's own plain-text listeners: its workloads, or clients outside the mesh) are not mesh callers and are not
 * subject to it. No prefix means any caller the mesh authenticated.
 *
 * @param allowedCallerPrefixes SPIFFE id prefixes of the allowed callers; empty for any authenticated caller.
 */
public record AuthorizationPolicy(List<String> allowedCallerPrefixes)
{
    /** Any caller the mesh authenticated. */
    public static final AuthorizationPolicy ANY_AUTHENTICATED = new AuthorizationPolicy(List.of());

    public AuthorizationPolicy
    {
        allowedCallerPrefixes = List.copyOf(requireNonNull(allowedCallerPrefixes, "allowedCallerPrefixes"));
        for (int i = 0; i < allowedCallerPrefixes.size(); i++)
        {
            try
            {
                ClassificationRule.requireSpiffePrefix(allowedCallerPrefixes.get(i));
                PrincipalMatch.prefix(allowedCallerPrefixes.get(i));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("allowedCallerPrefixes[" + i + "]: expected"
                    + " spiffe://<trust-domain>[/path...], got \"" + allowedCallerPrefixes.get(i) + "\"", ex);
            }
        }
    }
}
