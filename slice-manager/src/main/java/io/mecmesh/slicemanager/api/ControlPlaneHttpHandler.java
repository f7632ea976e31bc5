package io.mecmesh.slicemanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.cluster.ClusterView;
import io.mecmesh.slicemanager.cluster.NoQuorumException;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.http.ApiExchange;
import io.mecmesh.slicemanager.http.ApiHandler;
import io.mecmesh.slicemanager.distribution.RejectReason;
import io.mecmesh.slicemanager.journal.JournalCodec;
import io.mecmesh.slicemanager.journal.JournalException;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Snssai;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * The control plane's admin API, mounted at {@code /v1/} on an {@code ApiHttpServer} (Vert.x). JSON in and out; every error
 * is an RFC 9457 problem ({@code application/problem+json}) with the offending document path in {@code field}:
 *
 * <pre>
 *   POST   /v1/apply?dryRun=&amp;prune=     a desired-state document: diff, then one batch (nothing when unchanged)
 *   GET    /v1/state                      the whole document plus "version"
 *   GET    /v1/slices|services|nodes      {"items":[...]}
 *   GET    /v1/slices/{snssai|name}       one object (services by name, nodes by id)
 *   PUT    /v1/slices/{snssai}            put one object
 *   DELETE /v1/slices/{snssai|name}       delete one object: {"version":N}
 *   GET    /v1/status                     each node's latest, applied and rejected versions and last contact
 *   GET    /v1/journal?after=&amp;limit=    journal entries as JournalCodec documents
 *   POST   /v1/journal/compact            snapshot now: {"compacted":true,"snapshot":"file name"} (no path)
 *   GET    /v1/cluster                    this member's view of the control-plane cluster (members, leader, term)
 * </pre>
 *
 * On a cluster member, writes are at most once per {@code Idempotency-Key}; reads carry
 * {@value #STATE_SEQUENCE_HEADER}, {@value #LEADER_HEADER} and, without a quorum, {@value #STALE_HEADER};
 * {@code ?consistency=linearizable} on a GET waits for a read barrier through the log first.
 *
 * Statuses: 400 malformed JSON or query, 404 unknown path or object, 405 wrong method, 409 the state refuses the
 * command (conflict), 413 body over {@value #MAX_BODY_BYTES} bytes, 422 the document or command is not valid, 503
 * the journal cannot be written, the write was not acknowledged in time, or the member has no quorum. Stateless and thread-safe: the backend serializes commands.
 */
public final class ControlPlaneHttpHandler implements ApiHandler
{
    /** The largest request body accepted: the documented limit of a desired-state document. */
    public static final int MAX_BODY_BYTES = DesiredStateDocument.MAX_DOCUMENT_BYTES;
    /** Journal entries returned when the request does not say. */
    public static final int DEFAULT_JOURNAL_LIMIT = 100;
    /** The most journal entries one request returns. */
    public static final int MAX_JOURNAL_LIMIT = 1000;

    /** The problem type of a write refused by a member without a quorum (DESIGN-ha.md 2.5). */
    public static final String NO_QUORUM_TYPE = "https://mecmesh.io/problems/no-quorum";
    /** The state version a read was served at. */
    public static final String STATE_SEQUENCE_HEADER = "Mecmesh-State-Sequence";
    /** The member that leads, as the member asked knows it ({@code none} in an election). */
    public static final String LEADER_HEADER = "Mecmesh-Leader";
    /** Present on reads from a member without a quorum: {@code since=<instant>}. */
    public static final String STALE_HEADER = "Mecmesh-Stale";

    private static final String PREFIX = "/v1";
    private static final String JSON_TYPE = "application/json";
    private static final String PROBLEM_TYPE = "application/problem+json";
    /** A key given twice in one object is refused (400), not "the last one wins". */
    private static final ObjectMapper JSON = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final System.Logger LOGGER = System.getLogger(ControlPlaneHttpHandler.class.getName());

    private final ControlPlaneBackend backend;
    private final DesiredStateDocument documents;

    /**
     * @param backend   the slice manager.
     * @param documents reads and writes documents with the operator's 5QI and DSCP tables.
     */
    public ControlPlaneHttpHandler(final ControlPlaneBackend backend, final DesiredStateDocument documents)
    {
        this.backend = requireNonNull(backend, "backend");
        this.documents = requireNonNull(documents, "documents");
    }

    /**
     * A handler with the standard 5QI table and the default DSCP table.
     *
     * @param backend the slice manager.
     */
    public ControlPlaneHttpHandler(final ControlPlaneBackend backend)
    {
        this(backend, DesiredStateDocument.standard());
    }

    @Override
    public int maxBodyBytes()
    {
        return MAX_BODY_BYTES;
    }

    @Override
    public void handle(final ApiExchange exchange)
    {
        int status = 200;
        JsonNode body;
        final Map<String, String> headers = new HashMap<>();
        try
        {
            if ("GET".equals(exchange.method()) && "linearizable".equals(query(exchange.rawQuery()).get("consistency")))
            {
                backend.readBarrier();
            }
            body = route(exchange);
            if ("GET".equals(exchange.method()))
            {
                // Only envelopes (state, lists, status, cluster) get a "stale" field, never one object's document.
                final boolean envelope = exchange.rawPath().replaceAll("^/v1/?|/+$", "").indexOf('/') < 0;
                readHeaders(envelope ? body : null, headers);
            }
        }
        catch (final Problem problem)
        {
            status = problem.status;
            body = problem.toJson();
            if (problem.status == 405)
            {
                headers.put("Allow", problem.allow);
            }
        }
        catch (final DocumentException ex)
        {
            status = 422;
            body = new Problem(422, ex.getMessage(), ex.field()).toJson();
        }
        catch (final CommandRejectedException ex)
        {
            status = statusOf(ex);
            body = new Problem(status, ex.getMessage(), ex.field()).toJson();
        }
        catch (final NoQuorumException ex)
        {
            status = 503;
            body = new Problem(503, ex.getMessage(), null).type(NO_QUORUM_TYPE, "control plane has no quorum")
                .toJson();
            headers.put("Retry-After", "1");
        }
        catch (final JournalException ex)
        {
            status = 503;
            body = new Problem(503, ex.getMessage(), null).toJson();
            headers.put("Retry-After", "1");
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.ERROR, "control-plane API: internal error on "
                + exchange.method() + " " + exchange.rawPath(), ex);
            status = 500;
            body = new Problem(500, "internal error: " + ex, null).toJson();
        }
        final byte[] bytes;
        try
        {
            bytes = JSON.writeValueAsBytes(body);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a JSON tree cannot be written", ex);
        }
        exchange.respond(status, status < 400 ? JSON_TYPE : PROBLEM_TYPE, bytes, headers);
    }

    private JsonNode route(final ApiExchange exchange)
    {
        final String method = exchange.method();
        String path = exchange.rawPath();
        if (path.startsWith(PREFIX + "/"))
        {
            path = path.substring(PREFIX.length());
        }
        final Map<String, String> query = query(exchange.rawQuery());
        final String[] segments = path.replaceAll("^/+|/+$", "").split("/");
        final String collection = segments[0];
        switch (segments.length)
        {
            case 1:
                switch (collection)
                {
                    case "apply":
                        requireMethod(method, "POST");
                        return apply(readJson(exchange), flag(query, "dryRun"), flag(query, "prune"), requestId(exchange));
                    case "state":
                        requireMethod(method, "GET");
                        return state();
                    case "cluster":
                        requireMethod(method, "GET");
                        return cluster();
                    case "slices":
                    case "services":
                    case "nodes":
                    case "apps":
                        requireMethod(method, "GET");
                        return list(collection);
                    case "status":
                        requireMethod(method, "GET");
                        return status();
                    case "journal":
                        requireMethod(method, "GET");
                        return journal(query);
                    default:
                        throw notFound(path);
                }
            case 2:
                if ("journal".equals(collection) && "compact".equals(segments[1]))
                {
                    requireMethod(method, "POST");
                    // The file's name only: the API does not tell callers where the data directory is.
                    final Path snapshot = backend.compact();
                    return JSON.createObjectNode().put("compacted", true)
                        .put("snapshot", String.valueOf(snapshot.getFileName()));
                }
                if (!"slices".equals(collection) && !"services".equals(collection) && !"nodes".equals(collection)
                    && !"apps".equals(collection))
                {
                    throw notFound(path);
                }
                final String id = URLDecoder.decode(segments[1], StandardCharsets.UTF_8);
                switch (method)
                {
                    case "GET":
                        return one(collection, id);
                    case "PUT":
                        return put(collection, id, readJson(exchange), requestId(exchange));
                    case "DELETE":
                        return delete(collection, id, requestId(exchange));
                    default:
                        throw new Problem(405, "method " + method + " not allowed on " + path, null)
                            .allow("GET, PUT, DELETE");
                }
            default:
                throw notFound(path);
        }
    }

    private JsonNode apply(final JsonNode document, final boolean dryRun, final boolean prune,
        final UUID requestId)
    {
        final DesiredState current = backend.state();
        final DesiredStateDocument.Declared declared = documents.read(document, current);
        final ApplyPlan plan = documents.diff(current, declared, prune);
        long version = current.sequence();
        if (plan.hasChanges())
        {
            try
            {
                if (dryRun)
                {
                    current.apply(plan.batch());
                }
                else
                {
                    version = backend.submit(requestId, plan.batch());
                }
            }
            catch (final CommandRejectedException ex)
            {
                final String field = plan.documentField(ex);
                throw new Problem(statusOf(ex), field + ": " + ex.reason(), field);
            }
        }
        final ObjectNode response = JSON.createObjectNode();
        response.put("version", version);
        response.put("dryRun", dryRun);
        final ArrayNode changes = response.putArray("changes");
        for (final ApplyPlan.Change change : plan.changes())
        {
            final ObjectNode json = changes.addObject();
            json.put("op", change.op().text());
            json.put("kind", change.kind());
            json.put("name", change.name());
            json.set("before", change.before().map(JsonNode.class::cast).orElse(JSON.nullNode()));
            json.set("after", change.after().map(JsonNode.class::cast).orElse(JSON.nullNode()));
        }
        return response;
    }

    /** {@code GET /v1/cluster}: this member's view of the control-plane cluster (DESIGN-ha.md 5.1). */
    private JsonNode cluster()
    {
        final ObjectNode response = JSON.createObjectNode();
        final Optional<ClusterView> cluster = backend.cluster(true);
        if (cluster.isEmpty())
        {
            response.put("enabled", false);
            response.put("appliedSequence", backend.state().sequence());
            response.putArray("members");
            return response;
        }
        final ClusterView view = cluster.get();
        response.put("enabled", true);
        response.put("memberId", view.memberId());
        if (view.leaderMemberId() < 0)
        {
            response.putNull("leaderMemberId");
        }
        else
        {
            response.put("leaderMemberId", view.leaderMemberId());
        }
        response.put("leadershipTermId", view.leadershipTermId());
        response.put("commitPosition", view.commitPosition());
        response.put("appliedSequence", view.appliedSequence());
        staleField(view, response);
        final ArrayNode members = response.putArray("members");
        final int count = Math.max(1, view.members().size());
        for (int id = 0; id < count; id++)
        {
            final ObjectNode member = members.addObject();
            member.put("id", id);
            if (!view.members().isEmpty())
            {
                member.put("host", view.members().get(id).host());
                member.put("basePort", view.members().get(id).basePort());
                member.put("api", view.members().get(id).api());
            }
            final String role;
            if (id == view.memberId())
            {
                role = view.leaderMemberId() < 0 ? "candidate" : view.role().toLowerCase(java.util.Locale.ROOT);
            }
            else
            {
                role = view.leaderMemberId() < 0 ? "unknown" : id == view.leaderMemberId() ? "leader" : "follower";
            }
            member.put("role", role);
            final Long position = view.logPositions().get(id);
            if (position == null)
            {
                member.putNull("logPosition");
                member.putNull("lag");
            }
            else
            {
                member.put("logPosition", position);
                member.put("lag", Math.max(0, view.commitPosition() - position));
            }
        }
        return response;
    }

    /** {@code "stale": {"since", "sequence"}} on a member without a quorum, nothing otherwise. */
    private static void staleField(final ClusterView view, final ObjectNode response)
    {
        if (view.isStale())
        {
            response.putObject("stale").put("since", Instant.ofEpochMilli(view.noLeaderSinceMs()).toString())
                .put("sequence", view.appliedSequence());
        }
    }

    /**
     * On a cluster member: the read's state version, the leader, and whether the member is stale (headers, and a
     * {@code stale} field in an object body).
     */
    private void readHeaders(final JsonNode body, final Map<String, String> headers)
    {
        final Optional<ClusterView> cluster = backend.cluster(false);
        if (cluster.isEmpty())
        {
            return;
        }
        final ClusterView view = cluster.get();
        headers.put(STATE_SEQUENCE_HEADER, Long.toString(view.appliedSequence()));
        headers.put(LEADER_HEADER, view.leaderMemberId() < 0 ? "none" : Integer.toString(view.leaderMemberId()));
        if (view.isStale())
        {
            headers.put(STALE_HEADER, "since=" + Instant.ofEpochMilli(view.noLeaderSinceMs()));
            if (body instanceof ObjectNode object && !object.has("stale"))
            {
                staleField(view, object);
            }
        }
    }

    /**
     * The caller's {@code Idempotency-Key} (the CLI sends one per invocation and reuses it on retries), a fresh id
     * without one. A key that is not a UUID is mapped to one by its bytes, so any string works.
     */
    private static UUID requestId(final ApiExchange exchange)
    {
        final String key = exchange.header("Idempotency-Key");
        if (key == null || key.isBlank())
        {
            return UUID.randomUUID();
        }
        try
        {
            return UUID.fromString(key.trim());
        }
        catch (final IllegalArgumentException ex)
        {
            return UUID.nameUUIDFromBytes(key.trim().getBytes(StandardCharsets.UTF_8));
        }
    }

    private JsonNode state()
    {
        final DesiredState state = backend.state();
        final ObjectNode response = JSON.createObjectNode();
        response.put("version", state.sequence());
        response.setAll(documents.render(state));
        return response;
    }

    private JsonNode list(final String collection)
    {
        final DesiredState state = backend.state();
        final ObjectNode response = JSON.createObjectNode();
        final ArrayNode items = response.putArray("items");
        switch (collection)
        {
            case "slices" -> state.slices().values().forEach(slice -> items.add(documents.render(slice)));
            case "services" -> state.services().values().forEach(service -> items.add(documents.render(service)));
            case "apps" -> state.apps().values().forEach(app -> items.add(documents.render(app)));
            default -> state.nodes().values().forEach(node -> items.add(documents.render(node)));
        }
        return response;
    }

    private JsonNode one(final String collection, final String id)
    {
        final DesiredState state = backend.state();
        return switch (collection)
        {
            case "slices" -> documents.render(findSlice(state, id));
            case "services" -> documents.render(Optional.ofNullable(state.services().get(id))
                .orElseThrow(() -> new Problem(404, "no service \"" + id + "\"", null)));
            case "apps" -> documents.render(Optional.ofNullable(state.apps().get(id))
                .orElseThrow(() -> new Problem(404, "no application instance \"" + id + "\"", null)));
            default -> documents.render(Optional.ofNullable(state.nodes().get(id))
                .orElseThrow(() -> new Problem(404, "no node \"" + id + "\"", null)));
        };
    }

    private JsonNode put(final String collection, final String id, final JsonNode body, final UUID requestId)
    {
        if (!body.isObject())
        {
            throw new DocumentException("document", "expected one object");
        }
        final ObjectNode object = (ObjectNode)body;
        final Command command;
        switch (collection)
        {
            case "slices" ->
            {
                requireKey(object, "snssai", id);
                final Slice slice = documents.slice(object, "");
                if (!slice.snssai().toString().equals(id) && !slice.snssai().equals(parseSnssai(id)))
                {
                    throw new DocumentException("snssai", "the body's " + slice.snssai() + " is not the path's "
                        + id);
                }
                command = new Command.PutSlice(slice);
            }
            case "services" ->
            {
                requireKey(object, "name", id);
                final DesiredState state = backend.state();
                final Service service = documents.service(object, "",
                    snssai -> Optional.ofNullable(state.slices().get(snssai)));
                command = new Command.PutService(service);
            }
            case "apps" ->
            {
                requireKey(object, "id", id);
                command = new Command.PutApp(documents.app(object, ""));
            }
            default ->
            {
                requireKey(object, "id", id);
                final Node node = documents.node(object, "");
                command = new Command.PutNode(node);
            }
        }
        return version(backend.submit(requestId, command));
    }

    private JsonNode delete(final String collection, final String id, final UUID requestId)
    {
        final DesiredState state = backend.state();
        final Command command = switch (collection)
        {
            case "slices" -> new Command.DeleteSlice(findSlice(state, id).snssai());
            case "services" ->
            {
                if (!state.services().containsKey(id))
                {
                    throw new Problem(404, "no service \"" + id + "\"", null);
                }
                yield new Command.DeleteService(id);
            }
            case "apps" ->
            {
                if (!state.apps().containsKey(id))
                {
                    throw new Problem(404, "no application instance \"" + id + "\"", null);
                }
                yield new Command.DeleteApp(id);
            }
            default ->
            {
                if (!state.nodes().containsKey(id))
                {
                    throw new Problem(404, "no node \"" + id + "\"", null);
                }
                yield new Command.DeleteNode(id);
            }
        };
        return version(backend.submit(requestId, command));
    }

    private JsonNode status()
    {
        final DesiredState state = backend.state();
        final Map<String, NodeStatus> statuses = new TreeMap<>(backend.nodeStatus());
        final long now = backend.nanoTime();
        final TreeSet<String> ids = new TreeSet<>(statuses.keySet());
        ids.addAll(state.nodes().keySet());
        final ObjectNode response = JSON.createObjectNode();
        response.put("version", state.sequence());
        final ArrayNode nodes = response.putArray("nodes");
        for (final String id : ids)
        {
            final NodeStatus status = statuses.getOrDefault(id,
                new NodeStatus(id, -1, -1, -1, RejectReason.NONE, "", -1));
            final ObjectNode node = nodes.addObject();
            node.put("id", id);
            node.put("latestVersion", status.latestVersion());
            node.put("appliedVersion", status.appliedVersion());
            node.put("upToDate", status.latestVersion() >= 0 && status.isUpToDate());
            if (status.lastContactNs() < 0)
            {
                node.putNull("lastContactMsAgo");
            }
            else
            {
                node.put("lastContactMsAgo", Math.max(0, (now - status.lastContactNs()) / 1_000_000));
            }
            if (status.rejectedVersion() < 0)
            {
                node.putNull("rejected");
            }
            else
            {
                node.putObject("rejected")
                    .put("version", status.rejectedVersion())
                    .put("reason", status.rejectReason().name())
                    .put("detail", status.rejectDetail());
            }
        }
        return response;
    }

    private JsonNode journal(final Map<String, String> query)
    {
        final long after = number(query, "after", 0, 0, Long.MAX_VALUE);
        final int limit = (int)number(query, "limit", DEFAULT_JOURNAL_LIMIT, 1, MAX_JOURNAL_LIMIT);
        final ObjectNode response = JSON.createObjectNode();
        final ArrayNode entries = response.putArray("entries");
        backend.journal(after, limit, (sequence, command) ->
        {
            if (entries.size() < limit)
            {
                final ObjectNode entry = entries.addObject();
                entry.put("sequence", sequence);
                entry.set("command", JournalCodec.command(command));
            }
        });
        return response;
    }

    private static Slice findSlice(final DesiredState state, final String id)
    {
        final Snssai snssai = parseSnssai(id);
        if (snssai != null && state.slices().containsKey(snssai))
        {
            return state.slices().get(snssai);
        }
        return state.slices().values().stream().filter(slice -> slice.name().equals(id)).findFirst()
            .orElseThrow(() -> new Problem(404, "no slice with S-NSSAI or name \"" + id + "\"", null));
    }

    private static Snssai parseSnssai(final String text)
    {
        try
        {
            return Snssai.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static void requireKey(final ObjectNode object, final String key, final String id)
    {
        final JsonNode value = object.get(key);
        if (value == null || value.isNull())
        {
            object.put(key, id);
        }
        else if (!"snssai".equals(key) && !id.equals(value.asText()))
        {
            throw new DocumentException(key, "the body's \"" + value.asText() + "\" is not the path's \"" + id + "\"");
        }
    }

    private static ObjectNode version(final long version)
    {
        return JSON.createObjectNode().put("version", version);
    }

    private static int statusOf(final CommandRejectedException ex)
    {
        return switch (ex.category())
        {
            case INVALID -> 422;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
        };
    }

    private static JsonNode readJson(final ApiExchange exchange)
    {
        final byte[] body = exchange.body();
        if (body.length > MAX_BODY_BYTES)
        {
            throw new Problem(413, "the body is larger than " + MAX_BODY_BYTES + " bytes, the limit of a"
                + " desired-state document: apply it in parts", null);
        }
        if (body.length == 0)
        {
            throw new Problem(400, "expected a JSON body, got none", null);
        }
        try
        {
            final JsonNode json = JSON.readTree(body);
            if (json == null || json.isMissingNode())
            {
                throw new Problem(400, "expected a JSON body, got none", null);
            }
            return json;
        }
        catch (final JsonProcessingException ex)
        {
            throw new Problem(400, "malformed JSON: " + ex.getOriginalMessage() + " at line "
                + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr(), null);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("reading a body in memory", ex);
        }
    }

    private static Map<String, String> query(final String raw)
    {
        final Map<String, String> query = new HashMap<>();
        if (raw == null || raw.isEmpty())
        {
            return query;
        }
        for (final String pair : raw.split("&"))
        {
            final int equals = pair.indexOf('=');
            final String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            final String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.put(name, value);
        }
        return query;
    }

    private static boolean flag(final Map<String, String> query, final String name)
    {
        final String value = query.get(name);
        if (value == null || "false".equals(value))
        {
            return false;
        }
        if ("true".equals(value) || value.isEmpty())
        {
            return true;
        }
        throw new Problem(400, name + ": expected true or false, got \"" + value + "\"", name);
    }

    private static long number(final Map<String, String> query, final String name, final long defaultValue,
        final long min, final long max)
    {
        final String value = query.get(name);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            final long number = Long.parseLong(value);
            if (number >= min && number <= max)
            {
                return number;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new Problem(400, name + ": expected " + min + " to " + max + ", got \"" + value + "\"", name);
    }

    private static void requireMethod(final String method, final String allowed)
    {
        if (!allowed.equals(method))
        {
            throw new Problem(405, "method " + method + " not allowed here; use " + allowed, null).allow(allowed);
        }
    }

    private static Problem notFound(final String path)
    {
        return new Problem(404, "no such resource: /v1" + path + " (see the API's list of endpoints)", null);
    }

    /** An RFC 9457 problem: the response to a request that failed. */
    private static final class Problem extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private static final Map<Integer, String> TITLES = Map.of(400, "Bad Request", 404, "Not Found",
            405, "Method Not Allowed", 409, "Conflict", 413, "Content Too Large", 422, "Unprocessable Content",
            500, "Internal Server Error", 503, "Service Unavailable");

        private final int status;
        private final String field;
        private String allow = "";
        private String type = "about:blank";
        private String title;

        Problem(final int status, final String detail, final String field)
        {
            super(detail, null, false, false);
            this.status = status;
            this.field = field;
        }

        Problem type(final String problemType, final String problemTitle)
        {
            this.type = problemType;
            this.title = problemTitle;
            return this;
        }

        Problem allow(final String methods)
        {
            this.allow = methods;
            return this;
        }

        ObjectNode toJson()
        {
            final ObjectNode json = JSON.createObjectNode();
            json.put("type", type);
            json.put("title", title != null ? title : TITLES.getOrDefault(status, "Error"));
            json.put("status", status);
            json.put("detail", getMessage());
            if (field != null)
            {
                json.put("field", field);
            }
            return json;
        }
    }
}
