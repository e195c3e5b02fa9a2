package io.spicegate.admin;

import io.spicegate.consoles.ConsoleAdmin;
import io.spicegate.rules.RuleAdmin;
import io.spicegate.users.Caller;
import io.spicegate.users.UserAdmin;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

/** Admin API: users, groups, KVM hosts, consoles and access rules (admins only; every change audited). */
@Path("/api/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdminDirectoryResource {

    @Inject Caller caller;
    @Inject UserAdmin users;
    @Inject ConsoleAdmin consoles;
    @Inject RuleAdmin rules;

    private String admin() {
        caller.requireAdmin();
        return caller.username();
    }

    private static Response created(String path, long id, Object body) {
        return Response.created(URI.create("/api/v1/admin/" + path + "/" + id)).entity(body).build();
    }

    // users
    @GET @Path("/users")
    public List<UserAdmin.UserView> users() { admin(); return users.users(); }

    @GET @Path("/users/{id}")
    public UserAdmin.UserView user(@PathParam("id") long id) { admin(); return users.user(id); }

    @POST @Path("/users")
    public Response createUser(UserAdmin.UserInput in) {
        UserAdmin.UserView v = users.create(in, admin());
        return created("users", v.id(), v);
    }

    @PUT @Path("/users/{id}")
    public UserAdmin.UserView updateUser(@PathParam("id") long id, UserAdmin.UserInput in) { return users.update(id, in, admin()); }

    @DELETE @Path("/users/{id}")
    public Response deleteUser(@PathParam("id") long id) { users.delete(id, admin()); return Response.noContent().build(); }

    // groups
    @GET @Path("/groups")
    public List<UserAdmin.GroupView> groups() { admin(); return users.groups(); }

    @GET @Path("/groups/{id}")
    public UserAdmin.GroupView group(@PathParam("id") long id) { admin(); return users.group(id); }

    @POST @Path("/groups")
    public Response createGroup(UserAdmin.GroupInput in) {
        UserAdmin.GroupView v = users.createGroup(in, admin());
        return created("groups", v.id(), v);
    }

    @PUT @Path("/groups/{id}")
    public UserAdmin.GroupView updateGroup(@PathParam("id") long id, UserAdmin.GroupInput in) { return users.updateGroup(id, in, admin()); }

    @DELETE @Path("/groups/{id}")
    public Response deleteGroup(@PathParam("id") long id) { users.deleteGroup(id, admin()); return Response.noContent().build(); }

    // hosts
    @GET @Path("/hosts")
    public List<ConsoleAdmin.HostView> hosts() { admin(); return consoles.hosts(); }

    @GET @Path("/hosts/{id}")
    public ConsoleAdmin.HostView host(@PathParam("id") long id) { admin(); return consoles.host(id); }

    /** 201 with {id, name, address, caPem, enrollmentToken}: the host agent's token is shown this once. */
    @POST @Path("/hosts")
    public Response createHost(ConsoleAdmin.HostInput in) {
        ConsoleAdmin.HostCreated v = consoles.createHost(in, admin());
        return created("hosts", v.id(), v);
    }

    /** 201 with {id, name, enrollmentToken}: a new token for the host agent; the enrolled one is locked out. */
    @POST @Path("/hosts/{id}/enrollment")
    public Response reenrollHost(@PathParam("id") long id) {
        return Response.status(201).entity(consoles.reenrollHost(id, admin())).build();
    }

    @PUT @Path("/hosts/{id}")
    public ConsoleAdmin.HostView updateHost(@PathParam("id") long id, ConsoleAdmin.HostInput in) { return consoles.updateHost(id, in, admin()); }

    @DELETE @Path("/hosts/{id}")
    public Response deleteHost(@PathParam("id") long id) { consoles.deleteHost(id, admin()); return Response.noContent().build(); }

    // consoles
    @GET @Path("/consoles")
    public List<ConsoleAdmin.ConsoleView> consoles() { admin(); return consoles.consoles(); }

    @GET @Path("/consoles/{id}")
    public ConsoleAdmin.ConsoleView console(@PathParam("id") long id) { admin(); return consoles.console(id); }

    @POST @Path("/consoles")
    public Response createConsole(ConsoleAdmin.ConsoleInput in) {
        ConsoleAdmin.ConsoleView v = consoles.createConsole(in, admin());
        return created("consoles", v.id(), v);
    }

    @PUT @Path("/consoles/{id}")
    public ConsoleAdmin.ConsoleView updateConsole(@PathParam("id") long id, ConsoleAdmin.ConsoleInput in) { return consoles.updateConsole(id, in, admin()); }

    @DELETE @Path("/consoles/{id}")
    public Response deleteConsole(@PathParam("id") long id) { consoles.deleteConsole(id, admin()); return Response.noContent().build(); }

    // rules
    @GET @Path("/rules")
    public List<RuleAdmin.RuleDto> rules(@QueryParam("console") String console) { admin(); return rules.list(console); }

    @GET @Path("/rules/{id}")
    public RuleAdmin.RuleDto rule(@PathParam("id") long id) { admin(); return rules.get(id); }

    @POST @Path("/rules")
    public Response createRule(RuleAdmin.RuleDto in) {
        RuleAdmin.RuleDto v = rules.create(in, admin());
        return created("rules", v.id(), v);
    }

    @PUT @Path("/rules/{id}")
    public RuleAdmin.RuleDto replaceRule(@PathParam("id") long id, RuleAdmin.RuleDto in) { return rules.replace(id, in, admin()); }

    @DELETE @Path("/rules/{id}")
    public Response deleteRule(@PathParam("id") long id) { rules.delete(id, admin()); return Response.noContent().build(); }
}
