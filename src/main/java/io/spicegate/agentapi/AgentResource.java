package io.spicegate.agentapi;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.spicegate.enrollment.AgentCredentials;
import io.spicegate.enrollment.AgentKind;
import io.spicegate.protocol.Ack;
import io.spicegate.protocol.EnrollRequest;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.TicketAck;
import io.spicegate.protocol.TicketSet;
import io.spicegate.sessions.GrantService;
import io.spicegate.sessions.TicketService;
import io.spicegate.shared.Params;
import io.spicegate.shared.Problem;
import io.spicegate.users.SourceAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.math.BigInteger;
import java.util.function.BiConsumer;

/**
 * The HTTP face the agents talk to: enrollment (workstation and KVM host tokens alike), the grants long-poll of
 * workstation agents, the tickets long-poll of host agents (one {@link LongPoll}), and their acknowledgements.
 */
@Path(AgentPolls.BASE)
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {

    @Inject AgentCredentials credentials;
    @Inject GrantService grants;
    @Inject LongPoll poll;
    @Inject AgentPolls polls;
    @Inject TicketService tickets;
    @Inject EnrollThrottle throttle;

    /** Trades an enrollment token for the agent's secret; failures are counted per source address and throttled. */
    @POST
    @Path("/enroll")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public EnrollResponse enroll(EnrollRequest body, @Context HttpServerRequest request) {
        if (body == null) {
            throw Problem.badRequest("Send {\"token\": \"<enrollment token>\", \"hostname\": \"<this host>\"}.");
        }
        String source = SourceAddress.of(request);
        try {
            return credentials.enroll(body.token(), body.hostname(), source);
        } catch (Problem refused) {
            throw refused.status() == 401 ? throttle.failed(source, refused) : refused;
        }
    }

    /**
     * Workstation agents: their grant set, at once when its version differs from {@code after}, else at the next
     * change or after {@code wait} seconds (how long the agent waits; at most the poll setting); without the protected
     * list when the agent {@code have}s the one it names ({@link GrantSet#protectedTag()}).
     */
    @GET
    @Path(AgentPolls.GRANTS)
    public Uni<GrantSet> grants(@HeaderParam("Authorization") String authorization, @QueryParam("after") String after,
                                @QueryParam("wait") String wait, @QueryParam("have") String have) {
        return poll.answer(polls.grants(have), authorization, after(after), seconds(wait));
    }

    @POST
    @Path("/ack")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response ack(@HeaderParam("Authorization") String authorization, Ack body) {
        return acked(AgentKind.WORKSTATION, authorization, body,
                "{\"version\": N, \"applied\": [...], \"errors\": [...], \"facts\": {...}}", grants::ack);
    }

    /** Host agents: their ticket set, at once when its version differs from {@code after}, else at the next change. */
    @GET
    @Path(AgentPolls.TICKETS)
    public Uni<TicketSet> tickets(@HeaderParam("Authorization") String authorization, @QueryParam("after") String after,
                                  @QueryParam("wait") String wait) {
        return poll.answer(polls.tickets(), authorization, after(after), seconds(wait));
    }

    /** Host agents: which one-time passwords are set on the VMs, and which failed. */
    @POST
    @Path("/tickets/ack")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response ackTickets(@HeaderParam("Authorization") String authorization, TicketAck body) {
        return acked(AgentKind.HOST, authorization, body,
                "{\"version\": N, \"applied\": [session ids], \"errors\": [{\"session\", \"error\"}]}", tickets::ack);
    }

    /** {@code after}: the version the agent has, a whole number, or none (it has nothing yet); else 400. */
    static Long after(String after) {
        return Params.optional(after, Long::valueOf,
                "after is the version the agent has: send a whole number (or leave it out).");
    }

    /**
     * {@code wait}: how many seconds the agent waits, a whole number, or none; else 400 (LongPoll checks the range). A
     * number too large for an int is still a number: it is held as long as the portal allows.
     */
    static Integer seconds(String wait) {
        return Params.optional(wait, v -> {
            BigInteger n = new BigInteger(v);
            return n.bitLength() < Integer.SIZE ? n.intValue() : n.signum() > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        }, "wait is how many seconds the agent waits for an answer: send a whole number of at least 1 (or leave it out).");
    }

    /** Authenticates the agent of {@code kind}, then hands it its ack; an empty body is answered with its {@code shape}. */
    private <T> Response acked(AgentKind kind, String authorization, T body, String shape, BiConsumer<Long, T> ack) {
        long id = credentials.authenticate(kind, authorization).id();
        if (body == null) {
            throw Problem.badRequest("Send " + shape + ".");
        }
        ack.accept(id, body);
        return Response.noContent().build();
    }
}
