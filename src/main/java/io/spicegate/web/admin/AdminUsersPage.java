package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import io.spicegate.users.UserAdmin;
import io.spicegate.web.Page;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

import java.util.ArrayList;
import java.util.List;

/** Admin pages for accounts: list, create, edit, reset a password, deactivate and reactivate. */
@Path("/admin/users")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AdminUsersPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance users(Page page, List<UserAdmin.UserView> users, String notice);

        static native TemplateInstance user(Page page, UserForm form, UserAdmin.UserView user, String error,
                                            String passwordError, String notice);
    }

    /** The account form as typed (never the password). */
    public record UserForm(String username, String displayName, String email, String unixUsername, boolean approver,
                           boolean admin) {
        static final UserForm EMPTY = new UserForm("", "", "", "", false, false);

        static UserForm of(UserAdmin.UserView u) {
            return new UserForm(u.username(), AdminSupport.nz(u.displayName()), AdminSupport.nz(u.email()),
                    AdminSupport.nz(u.unixUsername()), u.roles().contains("approver"), u.roles().contains("admin"));
        }

        List<String> roles() {
            List<String> r = new ArrayList<>(List.of("user"));
            if (approver) {
                r.add("approver");
            }
            if (admin) {
                r.add("admin");
            }
            return r;
        }
    }

    @Inject Caller caller;
    @Inject UserAdmin users;

    @GET
    public TemplateInstance list(@QueryParam("created") String created, @QueryParam("saved") String saved) {
        Page page = AdminSupport.page(caller, "Users");
        return Templates.users(page, users.users(), AdminSupport.notice("user", "Created", created, saved));
    }

    @GET
    @Path("new")
    public TemplateInstance createForm() {
        return Templates.user(AdminSupport.page(caller, "New user"), UserForm.EMPTY, null, null, null, null);
    }

    @POST
    public Response create(@RestForm String csrf, @RestForm String username, @RestForm String password,
                           @RestForm String displayName, @RestForm String email, @RestForm String unixUsername,
                           @RestForm List<String> roles) {
        AdminSupport.post(caller, csrf);
        UserForm form = new UserForm(AdminSupport.nz(username), AdminSupport.nz(displayName), AdminSupport.nz(email),
                AdminSupport.nz(unixUsername), has(roles, "approver"), has(roles, "admin"));
        return AdminSupport.submit(() -> {
            UserAdmin.UserView v = users.create(new UserAdmin.UserInput(username, password, displayName, email,
                    unixUsername, form.roles(), true), caller.username());
            return AdminSupport.seeOther("/admin/users?created=" + v.username());
        }, error -> Templates.user(AdminSupport.page(caller, "New user"), form, null, error, null, null));
    }

    @GET
    @Path("{id}")
    public TemplateInstance edit(@PathParam("id") long id, @QueryParam("done") String done) {
        Page page = AdminSupport.page(caller, "User");
        UserAdmin.UserView u = users.user(id);
        String notice = switch (done == null ? "" : done) {
            case "password" -> "The password of " + u.username() + " is reset; their logins have been ended.";
            case "deactivated" -> u.username() + " is deactivated: their logins and console sessions have been ended.";
            case "activated" -> u.username() + " is active again.";
            default -> null;
        };
        return Templates.user(page, UserForm.of(u), u, null, null, notice);
    }

    @POST
    @Path("{id}")
    public Response update(@PathParam("id") long id, @RestForm String csrf, @RestForm String displayName,
                           @RestForm String email, @RestForm String unixUsername, @RestForm List<String> roles) {
        AdminSupport.post(caller, csrf);
        UserAdmin.UserView before = users.user(id);
        UserForm form = new UserForm(before.username(), AdminSupport.nz(displayName), AdminSupport.nz(email),
                AdminSupport.nz(unixUsername), has(roles, "approver"), has(roles, "admin"));
        return AdminSupport.submit(() -> {
            users.update(id, new UserAdmin.UserInput(null, null, AdminSupport.nz(displayName), AdminSupport.nz(email),
                    AdminSupport.nz(unixUsername), form.roles(), null), caller.username());
            return AdminSupport.seeOther("/admin/users?saved=" + before.username());
        }, error -> Templates.user(AdminSupport.page(caller, "User"), form, before, error, null, null));
    }

    @POST
    @Path("{id}/password")
    public Response resetPassword(@PathParam("id") long id, @RestForm String csrf, @RestForm String password,
                                  @RestForm String repeat) {
        AdminSupport.post(caller, csrf);
        UserAdmin.UserView u = users.user(id);
        return AdminSupport.submit(() -> {
            if (password == null || password.isEmpty()) {
                throw Problem.badRequest("Type the new password.");
            }
            if (!password.equals(repeat)) {
                throw Problem.badRequest("The two passwords differ: type the same one twice.");
            }
            users.update(id, new UserAdmin.UserInput(null, password, null, null, null, null, null), caller.username());
            return AdminSupport.seeOther("/admin/users/" + id + "?done=password");
        }, error -> Templates.user(AdminSupport.page(caller, "User"), UserForm.of(u), u, null, error, null));
    }

    @POST
    @Path("{id}/deactivate")
    public Response deactivate(@PathParam("id") long id, @RestForm String csrf) {
        return setActive(id, csrf, false);
    }

    @POST
    @Path("{id}/activate")
    public Response activate(@PathParam("id") long id, @RestForm String csrf) {
        return setActive(id, csrf, true);
    }

    private Response setActive(long id, String csrf, boolean active) {
        AdminSupport.post(caller, csrf);
        UserAdmin.UserView u = users.user(id);
        return AdminSupport.submit(() -> {
            users.update(id, new UserAdmin.UserInput(null, null, null, null, null, null, active), caller.username());
            return AdminSupport.seeOther("/admin/users/" + id + "?done=" + (active ? "activated" : "deactivated"));
        }, error -> Templates.user(AdminSupport.page(caller, "User"), UserForm.of(u), u, error, null, null));
    }

    private static boolean has(List<String> values, String v) {
        return values != null && values.contains(v);
    }
}
