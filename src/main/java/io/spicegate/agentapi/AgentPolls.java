package io.spicegate.agentapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.enrollment.AgentKind;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.TicketSet;
import io.spicegate.sessions.GrantService;
import io.spicegate.sessions.TicketService;
import io.spicegate.shared.ErrorBody;
import io.spicegate.shared.ErrorMappers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The agents' two long-polls: what each one reads ({@link LongPoll.Work}), and the fast way in for the commonest call
 * of all, the renewal of an idle agent this replica remembers. That one is answered by a plain Vert.x route ahead of
 * the REST stack (no security handlers, no resource matching, no reactive pipeline: an idle fleet is mostly this call);
 * every other poll, and any renewal this route does not take whole, goes on to {@link AgentResource}, which answers
 * what is wrong with it.
 */
@ApplicationScoped
public class AgentPolls {

    static final String BASE = "/api/agent/v1";
    static final String GRANTS = "/grants";
    static final String TICKETS = "/tickets";
    /** After Quarkus' header handler (nosniff, DENY: order MIN_VALUE), before its body handler and every filter. */
    static final int ORDER = Integer.MIN_VALUE + 1;

    @Inject GrantService grants;
    @Inject TicketService tickets;
    @Inject LongPoll poll;
    @Inject ObjectMapper json;

    /** Workstation agents: their grant set, without the protected list when they {@code have} the one it names. */
    LongPoll.Work<GrantSet> grants(String have) {
        return new LongPoll.Work<>(AgentKind.WORKSTATION, ws -> grants.grants(ws.id()).forAgentHaving(have), (ws, version) -> {
            GrantSet same = grants.unchanged(ws.id(), version);
            return same == null ? null : same.forAgentHaving(have);
        });
    }

    /** Host agents: their ticket set (never answered from memory: live one-time passwords are read). */
    LongPoll.Work<TicketSet> tickets() {
        return new LongPoll.Work<>(AgentKind.HOST, host -> tickets.tickets(host.id()), (host, version) -> null);
    }

    void routes(@Observes Router router) {
        router.get(BASE + GRANTS).order(ORDER).handler(rc -> renewal(rc, BASE + GRANTS, this::grants));
        router.get(BASE + TICKETS).order(ORDER).handler(rc -> renewal(rc, BASE + TICKETS, have -> tickets()));
    }

    /**
     * Parks the renewal of a remembered agent (a version in {@code after}, a bearer and a version this replica knows)
     * and answers it; anything else goes on to the REST resource, unchanged.
     */
    private void renewal(RoutingContext rc, String path, Function<String, LongPoll.Work<?>> work) {
        HttpServerRequest request = rc.request();
        // however the address was spelled (//, %61), the metrics know it by its path, as for the REST resource's calls
        io.quarkus.micrometer.runtime.binder.vertx.HttpRequestMetric metric =
                io.quarkus.micrometer.runtime.binder.vertx.HttpRequestMetric.getRequestMetric(rc);
        if (metric != null) {
            metric.setTemplatePath(path);
        }
        if (!acceptsJson(request.getHeader(HttpHeaders.ACCEPT))) {
            rc.next(); // the resource answers 406
            return;
        }
        CompletableFuture<?> parked;
        try {
            Long after = AgentResource.after(request.getParam("after"));
            if (after == null) {
                rc.next();
                return;
            }
            Duration held = poll.held(AgentResource.seconds(request.getParam("wait")));
            parked = poll.renewal(work.apply(request.getParam("have")), request.getHeader(HttpHeaders.AUTHORIZATION), after, held);
        } catch (RuntimeException malformed) {
            rc.next(); // a broken query or header: the resource says what is wrong with it
            return;
        }
        if (parked == null) {
            rc.next();
            return;
        }
        parked.whenComplete((answer, failure) -> {
            if (failure == null) {
                respond(rc, 200, answer, null);
            } else {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                ErrorMappers.Failure f = ErrorMappers.Failure.of(cause, request.path());
                respond(rc, f.status(), new ErrorBody(f.message()), f);
            }
        });
    }

    /** Whether an answer in JSON is acceptable: no Accept header, or one naming JSON or any type (a q of 0 is not read). */
    static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            String type = range.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
            if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes {@code body} as JSON with the headers the REST resource's answer has (and a {@code failure}'s own), unless
     * the agent has gone.
     */
    private void respond(RoutingContext rc, int status, Object body, ErrorMappers.Failure failure) {
        HttpServerResponse response = rc.response();
        if (response.closed() || response.ended()) {
            return;
        }
        Buffer bytes;
        try {
            bytes = Buffer.buffer(json.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            rc.fail(e);
            return;
        }
        // as the resource says it: with the charset for the agent's work, without for an error
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, status == 200 ? "application/json;charset=UTF-8" : "application/json");
        io.spicegate.shared.AnswerHeaders.apply(response::putHeader, false);
        if (failure != null) {
            failure.apiHeaders(response::putHeader);
        }
        response.end(bytes);
    }
}
