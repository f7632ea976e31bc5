package io.mecmesh.dataplane.authz;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One allow or deny rule: it matches a request when each of its non-empty lists has an entry that matches.
 *
 * @param principals   callers, by SPIFFE id; empty for any caller, authenticated or not.
 * @param methods      HTTP methods (upper case); empty for any.
 * @param pathPrefixes path prefixes; empty for any path.
 */
public record AuthzRule(List<PrincipalMatch> principals, List<String> methods, List<String> pathPrefixes)
{
    public AuthzRule
    {
        principals = List.copyOf(requireNonNull(principals, "principals"));
        methods = List.copyOf(requireNonNull(methods, "methods"));
        pathPrefixes = List.copyOf(requireNonNull(pathPrefixes, "pathPrefixes"));
        for (int i = 0; i < pathPrefixes.size(); i++)
        {
            if (!pathPrefixes.get(i).startsWith("/"))
            {
                throw new IllegalArgumentException("paths[" + i + "]: must start with '/', got \""
                    + pathPrefixes.get(i) + "\"");
            }
        }
    }
}
