package io.spicegate.users;

import io.spicegate.audit.AuditLog;
import io.spicegate.shared.Changes;
import io.spicegate.shared.Problem;
import io.spicegate.shared.Validate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Administration of accounts and groups. Deactivation ends the user's login sessions, and (through
 * {@link UserDeactivated}) his console sessions, at once.
 */
@ApplicationScoped
public class UserAdmin {

    private static final Pattern UNIX = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");
    private static final Set<String> ROLES = Set.of("user", "approver", "admin");

    @Inject Clock clock;
    @Inject AuditLog audit;
    @Inject AuthService auth;
    @Inject Event<UserDeactivated> deactivated;
    @Inject ApiTokens tokens;
    @Inject Event<UserDeleted> deleted;
    @Inject Event<GroupDeleting> groupDeleting;

    /** A user as the admin API shows it (no password); {@code memberships} says where each group comes from. */
    public record UserView(long id, String username, String displayName, String email, String unixUsername,
                           Set<String> roles, boolean active, Set<String> groups, String source,
                           List<Membership> memberships) {
        static UserView of(User u) {
            List<Membership> memberships = u.groups.stream()
                    .map(g -> new Membership(g.name, g.fromDirectory() ? "directory (" + u.source + ")" : "set by hand here"))
                    .sorted(java.util.Comparator.comparing(Membership::group)).toList();
            return new UserView(u.id, u.username, u.displayName, u.email, u.unixUsername, u.roles(), u.active,
                    new TreeSet<>(u.groupNames()), u.source, memberships);
        }
    }

    /** One group of a user and where the membership comes from. */
    public record Membership(String group, String from) { }

    /** Body of create and update; on update only the given fields change. */
    public record UserInput(String username, String password, String displayName, String email, String unixUsername,
                            List<String> roles, Boolean active) { }

    /**
     * A group and its members; {@code fromDirectory}: the members come from the directories by name;
     * {@code directoryClash}: a local group whose name a directory ("oidc"/"ldap") also sent (not applied).
     */
    public record GroupView(long id, String name, Set<String> members, boolean fromDirectory, String directoryClash) {
        static GroupView of(Group g) {
            Set<String> m = new TreeSet<>();
            g.members.forEach(u -> m.add(u.username));
            return new GroupView(g.id, g.name, m, g.fromDirectory(), g.fromDirectory() ? null : g.directoryClash);
        }
    }

    /** Body of group create and update: {@code members} for a local group, or {@code fromDirectory: true}. */
    public record GroupInput(String name, List<String> members, Boolean fromDirectory) { }

    @Transactional
    public List<UserView> users() {
        return User.<User>list("order by username").stream().map(UserView::of).toList();
    }

    @Transactional
    public UserView user(long id) {
        return UserView.of(findUser(id));
    }

    @Transactional
    public UserView create(UserInput in, String admin) {
        if (in == null) {
            throw Problem.badRequest("Send {\"username\", \"password\", \"displayName\", \"email\", \"unixUsername\", \"roles\"}.");
        }
        String username = Validate.name(in.username(), "user");
        if (User.findByUsername(username).isPresent()) {
            throw Problem.conflict("A user named '" + username + "' exists already: choose another username.");
        }
        String weakness = Passwords.weakness(in.password());
        if (weakness != null) {
            throw Problem.badRequest(weakness);
        }
        User u = new User();
        u.username = username;
        u.passwordHash = Passwords.hash(in.password());
        apply(u, in, true);
        u.createdAt = clock.instant();
        u.persist();
        audit.append(AuditLog.event("USER_CREATED").actor(admin).user(username).detail(UserView.of(u).toString()), clock.instant());
        return UserView.of(u);
    }

    @Transactional
    public UserView update(long id, UserInput in, String admin) {
        User u = lockUser(id);
        if (in == null) {
            throw Problem.badRequest("Send the fields to change.");
        }
        UserView before = UserView.of(u);
        if (in.username() != null && !in.username().strip().equals(u.username)) {
            throw Problem.badRequest("A username cannot change (the session log refers to it): create a new user instead.");
        }
        if (in.active() != null && !in.active() && u.username.equals(admin)) {
            throw Problem.conflict("You cannot deactivate yourself: ask another administrator.");
        }
        if (in.roles() != null && !in.roles().contains("admin") && u.admin && u.username.equals(admin)) {
            throw Problem.conflict("You cannot take your own admin role: ask another administrator.");
        }
        String weakness = in.password() == null ? null : Passwords.weakness(in.password());
        if (weakness != null) {
            throw Problem.badRequest(weakness);
        }
        boolean wasActive = u.active;
        apply(u, in, false);
        Instant now = clock.instant();
        if (in.password() != null) {
            u.passwordHash = Passwords.hash(in.password());
            auth.endLoginSessions(u.id);
            audit.append(AuditLog.event("PASSWORD_RESET").actor(admin).user(u.username), now);
        }
        if (wasActive && !u.active) {
            auth.endLoginSessions(u.id);
            AtomicInteger ended = new AtomicInteger();
            deactivated.fire(new UserDeactivated(u.id, admin, ended));
            tokens.revokeAll(u, admin, now);
            audit.append(AuditLog.event("USER_DEACTIVATED").actor(admin).user(u.username)
                    .detail(ended.get() + " live session(s) revoked"), now);
        }
        UserView after = UserView.of(u);
        String changed = Changes.between(before, after, "memberships"); // a password or nothing: no USER_CHANGED row
        if (!changed.isEmpty()) {
            audit.append(AuditLog.event("USER_CHANGED").actor(admin).user(u.username).detail(changed), now);
        }
        return after;
    }

    @Transactional
    public void delete(long id, String admin) {
        User u = lockUser(id);
        if (u.username.equals(admin)) {
            throw Problem.conflict("You cannot delete yourself: ask another administrator.");
        }
        auth.endLoginSessions(u.id);
        deleted.fire(new UserDeleted(u.id, admin));
        for (Group g : List.copyOf(u.groups)) {
            g.members.remove(u);
        }
        io.spicegate.users.LoginFailure.delete("username", u.username);
        // the session log and the requests keep the name; their link to the account goes by the schema's
        // "on delete set null" (V1, V3); the observer of UserDeleted clears it on the sessions it has loaded
        audit.append(AuditLog.event("USER_DELETED").actor(admin).user(u.username).detail(UserView.of(u).toString()), clock.instant());
        u.delete();
    }

    private void apply(User u, UserInput in, boolean creating) {
        if (creating || in.displayName() != null) {
            String d = Validate.text(in.displayName(), "displayName", 200);
            u.displayName = d == null || d.isBlank() ? u.username : d;
        }
        if (creating || in.email() != null) {
            String e = Validate.text(in.email(), "email", 320);
            if (e != null && !e.isBlank() && !EMAIL.matcher(e).matches()) {
                throw Problem.badRequest("'" + io.spicegate.shared.TimeText.clip(e) + "' is not an e-mail address: use name@example.org.");
            }
            u.email = e == null || e.isBlank() ? null : e;
        }
        if (creating || in.unixUsername() != null) {
            String x = in.unixUsername() == null || in.unixUsername().isBlank() ? u.username : in.unixUsername().strip();
            if (!UNIX.matcher(x).matches()) {
                throw Problem.badRequest("'" + io.spicegate.shared.TimeText.clip(x) + "' is not a Unix username: use up to 32 "
                        + "lower-case letters, digits, '_' or '-', starting with a letter or '_'.");
            }
            u.unixUsername = x;
        }
        if (creating || in.roles() != null) {
            List<String> roles = in.roles() == null ? List.of("user") : in.roles();
            for (String r : roles) {
                if (r == null || !ROLES.contains(r)) {
                    throw Problem.badRequest("Unknown role '" + io.spicegate.shared.TimeText.clip(r)
                            + "': roles are \"user\", \"approver\" and \"admin\".");
                }
            }
            u.approver = roles.contains("approver");
            u.admin = roles.contains("admin");
        }
        if (in.active() != null) {
            u.active = in.active();
        } else if (creating) {
            u.active = true;
        }
    }

    private static User findUser(long id) {
        return findUser(id, LockModeType.NONE);
    }

    /**
     * The user, read afresh under the account lock ({@link UserLocks#changing}) and FOR UPDATE: an Open console of his
     * in flight commits first, so a deactivation or delete that follows revokes that session too, and opens that come
     * later wait for this change.
     */
    private static User lockUser(long id) {
        UserLocks.changing(id);
        return findUser(id, LockModeType.PESSIMISTIC_WRITE);
    }

    private static User findUser(long id, LockModeType lock) {
        User u = User.findById(id, lock);
        if (u == null) {
            throw Problem.notFound("There is no user " + id + ".");
        }
        return u;
    }

    // --- groups ------------------------------------------------------------------------------

    @Transactional
    public List<GroupView> groups() {
        return Group.<Group>list("order by name").stream().map(GroupView::of).toList();
    }

    @Transactional
    public GroupView group(long id) {
        return GroupView.of(findGroup(id));
    }

    @Transactional
    public GroupView createGroup(GroupInput in, String admin) {
        if (in == null) {
            throw Problem.badRequest("Send {\"name\": \"accounting\", \"members\": [\"charlie\"]}.");
        }
        String name = Validate.name(in.name(), "group");
        boolean fromDirectory = Boolean.TRUE.equals(in.fromDirectory());
        refuseHandMembers(fromDirectory, in.members(), name);
        if (Group.findByName(name).isPresent()) {
            throw Problem.conflict("A group named '" + name + "' exists already: choose another name.");
        }
        Set<User> members = members(in.members());
        Group g = new Group();
        g.name = name;
        g.source = fromDirectory ? "directory" : "local";
        g.persist();
        members.forEach(g::addMember);
        audit.append(AuditLog.event("GROUP_CREATED").actor(admin).detail(GroupView.of(g).toString()), clock.instant());
        return GroupView.of(g);
    }

    @Transactional
    public GroupView updateGroup(long id, GroupInput in, String admin) {
        Group g = findGroup(id);
        if (in == null) {
            throw Problem.badRequest("Send the fields to change: name, members.");
        }
        GroupView before = GroupView.of(g);
        if (in.fromDirectory() != null && in.fromDirectory() != g.fromDirectory()) {
            if (!in.fromDirectory()) {
                throw Problem.badRequest("Group " + g.name + " takes its members from the directories; a directory group "
                        + "cannot become a local one: create a local group with another name instead.");
            }
            refuseHandMembers(true, in.members(), g.name);
            // a local group becomes a directory group: the directories set its members from their next logins on
            for (User u : List.copyOf(g.members)) {
                u.groups.remove(g);
            }
            g.members.clear();
            g.source = "directory";
            g.directoryClash = null;
        }
        if (g.fromDirectory()) {
            refuseHandMembers(true, in.members() == null || in.members().isEmpty()
                    || new TreeSet<>(in.members()).equals(GroupView.of(g).members()) ? null : in.members(), g.name);
        }
        if (in.name() != null) {
            String name = Validate.name(in.name(), "group");
            if (!name.equals(g.name) && Group.findByName(name).isPresent()) {
                throw Problem.conflict("A group named '" + name + "' exists already: choose another name.");
            }
            g.name = name;
        }
        if (in.members() != null && !g.fromDirectory()) {
            Set<User> next = members(in.members());
            for (User u : List.copyOf(g.members)) {
                u.groups.remove(g);
            }
            g.members.clear();
            next.forEach(g::addMember);
        }
        GroupView after = GroupView.of(g);
        String changed = Changes.between(before, after);
        if (!changed.isEmpty()) {
            audit.append(AuditLog.event("GROUP_CHANGED").actor(admin).detail(g.name + ": " + changed), clock.instant());
        }
        return after;
    }

    @Transactional
    public void deleteGroup(long id, String admin) {
        Group g = findGroup(id);
        groupDeleting.fire(new GroupDeleting(g.id, g.name));
        audit.append(AuditLog.event("GROUP_DELETED").actor(admin).detail(GroupView.of(g).toString()), clock.instant());
        for (User u : List.copyOf(g.members)) {
            u.groups.remove(g);
        }
        g.members.clear();
        g.delete();
    }

    private static Group findGroup(long id) {
        Group g = Group.findById(id);
        if (g == null) {
            throw Problem.notFound("There is no group " + id + ".");
        }
        return g;
    }

    /** Members of a directory group come from the directories: setting them by hand is refused with a sentence. */
    private static void refuseHandMembers(boolean fromDirectory, List<String> members, String name) {
        if (fromDirectory && members != null && !members.isEmpty()) {
            throw Problem.badRequest("Group " + io.spicegate.shared.TimeText.clip(name) + " takes its members from the "
                    + "directories (LDAP group or single sign-on groups of the same name): add people to the group "
                    + "there, not here, and send no \"members\".");
        }
    }

    private static Set<User> members(List<String> names) {
        Set<User> out = new java.util.LinkedHashSet<>();
        for (String n : names == null ? List.<String>of() : names) {
            out.add(User.findByUsername(n == null ? "" : n.strip())
                    .orElseThrow(() -> Problem.badRequest("There is no user '" + io.spicegate.shared.TimeText.clip(n)
                            + "': add existing usernames only.")));
        }
        return out;
    }
}
