package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DnsRule;
import io.mecmesh.slicemanager.model.TrafficRule;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * MEC 011 application support ({@code /mec_app_support/v2}, and {@code v1} as an alias): an application's traffic
 * and DNS rules (GET the list, GET one with its {@code ETag}, PUT one with {@code If-Match}; the rules come from the
 * pre-provisioned instance, so there is no POST or DELETE), {@code confirm_ready}, and timing.
 *
 * <p>A PUT is one journaled {@link Command.PutApp} of the whole instance with the rule replaced; it is answered once
 * journaled. Writes are serialized here (one at a time per server), so that the ETag a PUT checks is the one it
 * replaces. An application reaches only its own instance (403 otherwise).
 */
final class AppSupportApi
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NO_QUERY = Set.of();

    private final String root;
    private final ControlPlaneBackend backend;
    private final Clock clock;
    private final Object writeLock;

    AppSupportApi(final String apiRoot, final ControlPlaneBackend backend, final Object writeLock)
    {
        this.root = requireNonNull(apiRoot, "apiRoot");
        this.backend = requireNonNull(backend, "backend");
        this.writeLock = requireNonNull(writeLock, "writeLock");
        this.clock = Clock.systemUTC();
    }

    void register(final Router router)
    {
        for (final String version : new String[] {"v2", "v1"})
        {
            final String base = root + "/mec_app_support/" + version;
            final String app = base + "/applications/:appInstanceId";
            for (final RuleKind<?> kind : List.of(TRAFFIC, DNS))
            {
                final String rules = app + (kind == TRAFFIC ? "/traffic_rules" : "/dns_rules");
                router.get(rules).blockingHandler(context -> Exchanges.run(context, c -> list(c, kind)), false);
                router.get(rules + "/:" + kind.idParameter())
                    .blockingHandler(context -> Exchanges.run(context, c -> get(c, kind)), false);
                router.put(rules + "/:" + kind.idParameter())
                    .blockingHandler(context -> Exchanges.run(context, c -> put(c, kind)), false);
            }
            router.post(app + "/confirm_ready")
                .blockingHandler(context -> Exchanges.run(context, this::confirmReady), false);
            router.get(base + "/timing/current_time").handler(context -> Exchanges.run(context, this::currentTime));
            router.get(base + "/timing/timing_caps").handler(context -> Exchanges.run(context, this::timingCaps));
        }
    }

    /**
     * One kind of rule an instance carries (traffic or DNS): how to find, read, render and replace it, so that both
     * kinds are served by the same GET-list / GET-one / PUT code.
     */
    private record RuleKind<R>(
        String idParameter,
        String label,
        Function<AppInstance, List<R>> rules,
        Function<R, String> id,
        Function<R, ObjectNode> render,
        Function<JsonNode, R> parse,
        BiFunction<AppInstance, R, AppInstance> replace)
    {
    }

    private static final RuleKind<TrafficRule> TRAFFIC = new RuleKind<>("trafficRuleId", "traffic rule",
        AppInstance::trafficRules, TrafficRule::id, MecRulesJson::render, json -> MecRulesJson.trafficRule(json, ""),
        AppInstance::withTrafficRule);
    private static final RuleKind<DnsRule> DNS = new RuleKind<>("dnsRuleId", "DNS rule", AppInstance::dnsRules,
        DnsRule::id, MecRulesJson::render, json -> MecRulesJson.dnsRule(json, ""), AppInstance::withDnsRule);

    private <R> void list(final RoutingContext context, final RuleKind<R> kind)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final AppInstance app = Exchanges.ownApp(context, backend);
        final ArrayNode rules = JSON.createArrayNode();
        kind.rules().apply(app).forEach(rule -> rules.add(kind.render().apply(rule)));
        Exchanges.json(context, 200, rules);
    }

    private <R> void get(final RoutingContext context, final RuleKind<R> kind)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final AppInstance app = Exchanges.ownApp(context, backend);
        Exchanges.jsonWithEtag(context, kind.render().apply(existing(context, app, kind)));
    }

    private <R> void put(final RoutingContext context, final RuleKind<R> kind)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        // An unknown rule is 404 whatever the body (DEC 032-3 TRAF_003_NF / DNS_003_NF PUT a valid rule there).
        existing(context, Exchanges.ownApp(context, backend), kind);
        final JsonNode body = Exchanges.body(context);
        final R rule;
        try
        {
            rule = kind.parse().apply(body);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new MecApiException(400, ex.getMessage());
        }
        final String id = context.pathParam(kind.idParameter());
        if (!kind.id().apply(rule).equals(id))
        {
            throw new MecApiException(400, kind.idParameter() + ": \"" + kind.id().apply(rule) + "\" is not the rule "
                + "of this resource (\"" + id + "\")");
        }
        synchronized (writeLock)
        {
            final AppInstance app = Exchanges.ownApp(context, backend);
            final R current = existing(context, app, kind);
            Exchanges.requireIfMatch(context, Exchanges.etag(kind.render().apply(current)));
            if (!current.equals(rule))
            {
                final AppInstance changed;
                try
                {
                    changed = kind.replace().apply(app, rule);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new MecApiException(400, ex.getMessage());
                }
                backend.submit(new Command.PutApp(changed));
            }
        }
        Exchanges.jsonWithEtag(context, kind.render().apply(rule));
    }

    private static <R> R existing(final RoutingContext context, final AppInstance app, final RuleKind<R> kind)
    {
        final String id = context.pathParam(kind.idParameter());
        for (final R rule : kind.rules().apply(app))
        {
            if (kind.id().apply(rule).equals(id))
            {
                return rule;
            }
        }
        throw new MecApiException(404, "application instance \"" + app.id() + "\" has no " + kind.label() + " \""
            + id + "\"");
    }

    private void confirmReady(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        Exchanges.ownApp(context, backend);
        final JsonNode body = Exchanges.body(context);
        final JsonNode indication = body.get("indication");
        if (!body.isObject() || indication == null || !"READY".equals(indication.asText()) || !indication.isTextual())
        {
            throw new MecApiException(400, "indication: expected \"READY\" (AppReadyConfirmation)");
        }
        synchronized (writeLock)
        {
            final AppInstance app = Exchanges.ownApp(context, backend);
            if (!app.ready())
            {
                backend.submit(new Command.PutApp(app.withReady()));
            }
        }
        context.response().setStatusCode(204).end();
    }

    private void currentTime(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final Instant now = clock.instant();
        final ObjectNode body = JSON.createObjectNode();
        body.put("seconds", now.getEpochSecond());
        body.put("nanoSeconds", now.getNano());
        // The appliance does not know whether the host's clock is locked to UTC (no NTP/PTP status is read).
        body.put("timeSourceStatus", "NONTRACEABLE");
        Exchanges.json(context, 200, body);
    }

    private void timingCaps(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final Instant now = clock.instant();
        final ObjectNode body = JSON.createObjectNode();
        final ObjectNode stamp = body.putObject("timeStamp");
        stamp.put("seconds", now.getEpochSecond());
        stamp.put("nanoSeconds", now.getNano());
        Exchanges.json(context, 200, body);
    }
}
