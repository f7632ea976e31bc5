package io.mecmesh.dataplane.authz;

import io.mecmesh.dataplane.identity.SpiffeId;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Who may call a destination: deny rules first, then allow rules. With allow rules, a request that matches none
 * is denied (deny by default once a policy exists); with none, everything not denied is allowed.
 *
 * @param allow rules that let a request through.
 * @param deny  rules that refuse a request whatever the allow rules say.
 */
public record AuthorizationPolicy(List<AuthzRule> allow, List<AuthzRule> deny)
{
    /** No policy: every request is allowed. */
    public static final AuthorizationPolicy ALLOW_ALL = new AuthorizationPolicy(List.of(), List.of());

    /**
     * The outcome of a check.
     */
    public enum Decision
    {
        ALLOWED,
        /** A deny rule matched. */
        DENIED_BY_RULE,
        /** Allow rules exist and none matched. */
        DENIED_NO_ALLOW_RULE
    }

    public AuthorizationPolicy
    {
        allow = List.copyOf(requireNonNull(allow, "allow"));
        deny = List.copyOf(requireNonNull(deny, "deny"));
    }

    /**
     * Checks a request. Allocates nothing.
     *
     * @param caller the caller's SPIFFE id, or {@code null} when the connection has none.
     * @param method the request method.
     * @param path   the request path (a query string may follow).
     * @return the decision.
     */
    public Decision check(final SpiffeId caller, final String method, final CharSequence path)
    {
        for (int i = 0; i < deny.size(); i++)
        {
            if (matches(deny.get(i), caller, method, path))
            {
                return Decision.DENIED_BY_RULE;
            }
        }
        if (allow.isEmpty())
        {
            return Decision.ALLOWED;
        }
        for (int i = 0; i < allow.size(); i++)
        {
            if (matches(allow.get(i), caller, method, path))
            {
                return Decision.ALLOWED;
            }
        }
        return Decision.DENIED_NO_ALLOW_RULE;
    }

    /**
     * For a connection-level (L4) check, where there is no method or path: refuses rules that name either.
     *
     * @throws IllegalArgumentException naming the first such rule.
     */
    public void requirePrincipalsOnly()
    {
        requirePrincipalsOnly("allow", allow);
        requirePrincipalsOnly("deny", deny);
    }

    private static void requirePrincipalsOnly(final String list, final List<AuthzRule> rules)
    {
        for (int i = 0; i < rules.size(); i++)
        {
            if (!rules.get(i).methods().isEmpty() || !rules.get(i).pathPrefixes().isEmpty())
            {
                throw new IllegalArgumentException("authorization." + list + "[" + i + "]: an L4 listener has no "
                    + "methods or paths; name principals only");
            }
        }
    }

    /**
     * Checks a connection (L4): the caller alone, no method or path. Allocates nothing.
     *
     * @param caller the caller's SPIFFE id, or {@code null} when the connection has none.
     * @return the decision.
     */
    public Decision checkConnection(final SpiffeId caller)
    {
        return check(caller, "", "/");
    }

    private static boolean matches(final AuthzRule rule, final SpiffeId caller, final String method,
        final CharSequence path)
    {
        if (!rule.principals().isEmpty())
        {
            if (caller == null)
            {
                if (!namesUnauthenticated(rule))
                {
                    return false;
                }
            }
            else
            {
                boolean found = false;
                for (int i = 0; i < rule.principals().size(); i++)
                {
                    if (rule.principals().get(i).matches(caller))
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
        }
        if (!rule.methods().isEmpty() && !rule.methods().contains(method))
        {
            return false;
        }
        if (!rule.pathPrefixes().isEmpty())
        {
            final List<String> prefixes = rule.pathPrefixes();
            for (int i = 0; i < prefixes.size(); i++)
            {
                if (startsWith(path, prefixes.get(i)))
                {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    private static boolean namesUnauthenticated(final AuthzRule rule)
    {
        for (int i = 0; i < rule.principals().size(); i++)
        {
            if (rule.principals().get(i).kind() == PrincipalMatch.Kind.UNAUTHENTICATED)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(final CharSequence text, final String prefix)
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
}
