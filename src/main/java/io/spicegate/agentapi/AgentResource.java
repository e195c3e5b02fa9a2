package io.spicegate.agentapi;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.spicegate.consoles.HostCredentials;
import io.spicegate.protocol.Ack;
import io.spicegate.protocol.EnrollRequest;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.TicketAck;
import io.spicegate.protocol.TicketSet;
import io.spicegate.sessions.GrantNotifier;
import io.spicegate.sessions.GrantService;
import io.spicegate.sessions.TicketService;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.SourceAddress;
import io.spicegate.workstations.AgentCredentials;
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

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP face the agents talk to: enrollment (workstation and KVM host tokens alike), the grants long-poll of
 * workstation agents, the tickets long-poll of host agents, and their acknowledgements. A long-poll holds no
 * thread while it waits: it parks on a future that {@link GrantNotifier} completes.
 */
@Path("/api/agent/v1")
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {

    @Inject
    AgentCredentials credentials;

    @Inject
    GrantService grants;

    @Inject
    GrantNotifier notifier;

    @Inject
    HostCredentials hosts;

    @Inject
    TicketService tickets;

    @Inject
    SpicegateConfig config;

    @Inject
    EnrollThrottle throttle;

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
            if (body.token() != null && body.token().strip().startsWith(HostCredentials.TOKEN_PREFIX)) {
                return hosts.enroll(body.token(), body.hostname(), source);
            }
            return credentials.enroll(body.token(), body.hostname(), source);
        } catch (Problem refused) {
            throw refused.status() == 401 ? throttle.failed(source, refused) : refused;
        }
    }

    /** Returns at once when the workstation's version differs from {@code after}, else at the next change or after the poll time. */
    @GET
    @Path("/grants")
    public Uni<GrantSet> grants(@HeaderParam("Authorization") String authorization, @QueryParam("after") Long after) {
        return Uni.createFrom().item(() -> credentials.authenticate(authorization))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToUni(ws -> {
                    CompletableFuture<Void> change = notifier.next(ws);
                    if (after == null || grants.version(ws) != after) {
                        notifier.forget(ws, change);
                        return Uni.createFrom().item(() -> grants.grants(ws));
                    }
                    return Uni.createFrom().completionStage(change)
                            .ifNoItem().after(Duration.ofSeconds(config.agent().pollSeconds())).recoverWithItem((Void) null)
                            .emitOn(Infrastructure.getDefaultWorkerPool())
                            .map(x -> {
                                notifier.forget(ws, change);
                                if (notifier.stopping()) {
                                    // this replica is going away: the agent polls again (another replica, or this one restarted)
                                    throw Problem.notReady("This portal is restarting: poll again.", 1);
                                }
                                return grants.grants(ws);
                            });
                });
    }

    @POST
    @Path("/ack")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response ack(@HeaderParam("Authorization") String authorization, Ack body) {
        long ws = credentials.authenticate(authorization);
        if (body == null) {
            throw Problem.badRequest("Send {\"version\": N, \"applied\": [...], \"errors\": [...], \"facts\": {...}}.");
        }
        grants.ack(ws, body);
        return Response.noContent().build();
    }

    /** Host agents: returns at once when the host's version differs from {@code after}, else at the next change or after the poll time. */
    @GET
    @Path("/tickets")
    public Uni<TicketSet> tickets(@HeaderParam("Authorization") String authorization, @QueryParam("after") Long after) {
        return Uni.createFrom().item(() -> hosts.authenticate(authorization))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToUni(host -> {
                    CompletableFuture<Void> change = notifier.nextForHost(host);
                    if (after == null || tickets.version(host) != after) {
                        notifier.forgetForHost(host, change);
                        return Uni.createFrom().item(() -> tickets.tickets(host));
                    }
                    return Uni.createFrom().completionStage(change)
                            .ifNoItem().after(Duration.ofSeconds(config.agent().pollSeconds())).recoverWithItem((Void) null)
                            .emitOn(Infrastructure.getDefaultWorkerPool())
                            .map(x -> {
                                notifier.forgetForHost(host, change);
                                if (notifier.stopping()) {
                                    throw Problem.notReady("This portal is restarting: poll again.", 1);
                                }
                                return tickets.tickets(host);
                            });
                });
    }

    /** Host agents: which one-time passwords are set on the VMs, and which failed. */
    @POST
    @Path("/tickets/ack")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response ackTickets(@HeaderParam("Authorization") String authorization, TicketAck body) {
        long host = hosts.authenticate(authorization);
        if (body == null) {
            throw Problem.badRequest("Send {\"version\": N, \"applied\": [session ids], \"errors\": [{\"session\", \"error\"}]}.");
        }
        tickets.ack(host, body);
        return Response.noContent().build();
    }
}
