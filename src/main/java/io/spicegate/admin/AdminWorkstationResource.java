package io.spicegate.admin;

import io.spicegate.users.Caller;
import io.spicegate.workstations.WorkstationAdmin;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

/** Admin API: workstations and the enrollment of their agents. */
@Path("/api/v1/admin/workstations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdminWorkstationResource {

    @Inject Caller caller;
    @Inject WorkstationAdmin workstations;

    @GET
    public List<WorkstationAdmin.View> list() {
        caller.requireAdmin();
        return workstations.list();
    }

    @GET
    @Path("/{id}")
    public WorkstationAdmin.View get(@PathParam("id") long id) {
        caller.requireAdmin();
        return workstations.get(id);
    }

    /** 201 with {id, name, enrollmentToken}: the token is shown this once. */
    @POST
    public Response create(WorkstationAdmin.Input body) {
        caller.requireAdmin();
        WorkstationAdmin.Created c = workstations.create(body, caller.username());
        return Response.created(URI.create("/api/v1/admin/workstations/" + c.id())).entity(c).build();
    }

    @PUT
    @Path("/{id}")
    public WorkstationAdmin.View update(@PathParam("id") long id, WorkstationAdmin.Input body) {
        caller.requireAdmin();
        return workstations.update(id, body, caller.username());
    }

    @POST
    @Path("/{id}/enrollment")
    public Response reenroll(@PathParam("id") long id) {
        caller.requireAdmin();
        return Response.status(201).entity(workstations.reenroll(id, caller.username())).build();
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        caller.requireAdmin();
        workstations.delete(id, caller.username());
        return Response.noContent().build();
    }
}
