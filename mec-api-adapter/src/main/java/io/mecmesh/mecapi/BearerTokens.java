package io.mecmesh.mecapi;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.model.AppInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * OAuth 2.0 bearer tokens of MEC applications ({@link MecApiOAuth2}): validates the JWT of
 * {@code Authorization: Bearer} locally (vertx-auth-jwt, the configured JWK set; no call to the authorization server)
 * and maps its {@link MecApiOAuth2#claim()} to the application instance it names, whose SPIFFE id becomes the caller
 * (so the API's ownership checks are those of a client certificate).
 *
 * <p>Answers: a token that is malformed, not signed by a configured key, expired, not yet valid, without
 * {@code exp}, of another issuer or audience, or without the claim: 401 with
 * {@code WWW-Authenticate: Bearer error="invalid_token"} (RFC 6750); a valid token naming no provisioned instance:
 * 403. Runs on the event loop: validation is CPU only (no I/O).
 */
final class BearerTokens
{
    private static final String REALM = "mecmesh";

    private final JWTAuth auth;
    private final String claim;
    private final ControlPlaneBackend backend;

    /**
     * @throws IllegalArgumentException naming {@code jwksFile} if the key set cannot be used.
     */
    BearerTokens(final Vertx vertx, final MecApiOAuth2 config, final ControlPlaneBackend backend)
    {
        requireNonNull(vertx, "vertx");
        requireNonNull(config, "config");
        this.backend = requireNonNull(backend, "backend");
        this.claim = config.claim();
        final JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions()
            .setIssuer(config.issuer()).addAudience(config.audience()));
        config.readKeys().forEach(key -> options.addJwk(new JsonObject(key)));
        this.auth = JWTAuth.create(vertx, options);
    }

    /**
     * @return the token of an {@code Authorization: Bearer} header, or null if the request has none.
     */
    static String tokenOf(final RoutingContext context)
    {
        final String authorization = context.request().getHeader("Authorization");
        if (authorization == null || authorization.length() < 7
            || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer "))
        {
            return null;
        }
        return authorization.substring(7).trim();
    }

    /**
     * Validates {@code token}; on success puts the caller in the context and passes the request on, else answers.
     */
    void authenticate(final RoutingContext context, final String token)
    {
        final Future<User> user = auth.authenticate(new TokenCredentials(token));
        user.onComplete(result ->
        {
            if (result.failed())
            {
                refuse(context, "invalid_token", "the bearer token is not valid: " + result.cause().getMessage());
                return;
            }
            final JsonObject claims = result.result().attributes().getJsonObject("accessToken", new JsonObject());
            if (!claims.containsKey("exp"))
            {
                refuse(context, "invalid_token", "the bearer token has no exp (expiry): refused");
                return;
            }
            final Object id = claims.getValue(claim);
            if (!(id instanceof String appInstanceId) || appInstanceId.isBlank())
            {
                refuse(context, "invalid_token", "the bearer token has no " + claim + " claim (the application "
                    + "instance id)");
                return;
            }
            final AppInstance app = backend.state().apps().get(appInstanceId);
            if (app == null)
            {
                Problems.send(context, 403, "the bearer token's " + claim + " \"" + appInstanceId + "\" names no "
                    + "provisioned application instance");
                return;
            }
            context.put(MecApiServer.CALLER, SpiffeId.parse(app.spiffeId()));
            context.next();
        });
    }

    /** 401 with the RFC 6750 challenge; {@code error} null for a request that carried no credentials. */
    static void refuse(final RoutingContext context, final String error, final String detail)
    {
        context.response().putHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\""
            + (error == null ? "" : ", error=\"" + error + "\""));
        Problems.send(context, 401, detail);
    }
}
