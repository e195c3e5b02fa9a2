package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
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

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Admin pages for groups and their members. */
@Path("/admin/groups")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AdminGroupsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance groups(Page page, List<UserAdmin.GroupView> groups, String notice);

        static native TemplateInstance group(Page page, GroupForm form, UserAdmin.GroupView group,
                                             List<Member> people, String error);
    }

    /** The group form as typed. */
    public record GroupForm(String name, Set<String> members, boolean fromDirectory) { }

    /** One checkbox of the member list. */
    public record Member(String username, String displayName, boolean checked) { }

    @Inject Caller caller;
    @Inject UserAdmin users;

    @GET
    public TemplateInstance list(@QueryParam("saved") String saved, @QueryParam("deleted") String deleted) {
        Page page = AdminSupport.page(caller, "Groups");
        return Templates.groups(page, users.groups(), AdminSupport.notice("group", "Deleted", deleted, saved));
    }

    @GET
    @Path("new")
    public TemplateInstance createForm() {
        Page page = AdminSupport.page(caller, "New group");
        return render(page, new GroupForm("", Set.of(), false), null, null);
    }

    @POST
    public Response create(@RestForm String csrf, @RestForm String name, @RestForm List<String> members,
                           @RestForm String fromDirectory) {
        AdminSupport.post(caller, csrf);
        GroupForm form = new GroupForm(AdminSupport.nz(name), members == null ? Set.of() : new TreeSet<>(members),
                fromDirectory != null);
        return AdminSupport.submit(() -> {
            UserAdmin.GroupView g = users.createGroup(new UserAdmin.GroupInput(name, List.copyOf(form.members()),
                    form.fromDirectory()), caller.username());
            return AdminSupport.seeOther("/admin/groups?saved=" + g.name());
        }, error -> render(AdminSupport.page(caller, "New group"), form, null, error));
    }

    @GET
    @Path("{id}")
    public TemplateInstance edit(@PathParam("id") long id) {
        Page page = AdminSupport.page(caller, "Group");
        UserAdmin.GroupView g = users.group(id);
        return render(page, new GroupForm(g.name(), g.members(), g.fromDirectory()), g, null);
    }

    @POST
    @Path("{id}")
    public Response update(@PathParam("id") long id, @RestForm String csrf, @RestForm String name,
                           @RestForm List<String> members, @RestForm String fromDirectory) {
        AdminSupport.post(caller, csrf);
        UserAdmin.GroupView before = users.group(id);
        // a directory group's form has no member boxes: its members are not the form's to change
        boolean directory = before.fromDirectory() || fromDirectory != null;
        GroupForm form = new GroupForm(AdminSupport.nz(name), members == null ? Set.of() : new TreeSet<>(members), directory);
        return AdminSupport.submit(() -> {
            UserAdmin.GroupView g = users.updateGroup(id, new UserAdmin.GroupInput(name == null ? "" : name,
                    !directory ? List.copyOf(form.members())
                            : before.fromDirectory() && members != null ? List.copyOf(form.members()) : null, directory ? Boolean.TRUE : null),
                    caller.username());
            return AdminSupport.seeOther("/admin/groups?saved=" + g.name());
        }, error -> render(AdminSupport.page(caller, "Group"), form, before, error));
    }

    @POST
    @Path("{id}/delete")
    public Response delete(@PathParam("id") long id, @RestForm String csrf) {
        AdminSupport.post(caller, csrf);
        UserAdmin.GroupView g = users.group(id);
        return AdminSupport.submit(() -> {
            users.deleteGroup(id, caller.username());
            return AdminSupport.seeOther("/admin/groups?deleted=" + g.name());
        }, error -> render(AdminSupport.page(caller, "Group"), new GroupForm(g.name(), g.members(), g.fromDirectory()), g, error));
    }

    private TemplateInstance render(Page page, GroupForm form, UserAdmin.GroupView group, String error) {
        List<Member> people = users.users().stream()
                .map(u -> new Member(u.username(), u.displayName(), form.members().contains(u.username()))).toList();
        return Templates.group(page, form, group, people, error);
    }
}
