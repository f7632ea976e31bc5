package io.mecmesh.slicemanager.model;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Which callers may reach a service. A placeholder until the authorization issue: callers are allowed by SPIFFE id
 * prefix; no prefix means any caller the mesh authenticated.
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
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("allowedCallerPrefixes[" + i + "]: expected"
                    + " spiffe://<trust-domain>[/path...], got \"" + allowedCallerPrefixes.get(i) + "\"", ex);
            }
        }
    }
}
