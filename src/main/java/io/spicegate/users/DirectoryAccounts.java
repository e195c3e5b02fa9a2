package io.spicegate.users;

import io.quarkus.logging.Log;
import io.spicegate.audit.AuditLog;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Accounts from a directory: created at first login (just in time), their details, roles and memberships of
 * directory groups (declared ahead by an admin, or created by a login) set from what the directory says at each
 * login. Local groups are never touched.
 * LDAP users' groups are also re-read when a decision finds them older than {@code spicegate.ldap.group-cache-seconds}.
 */
@ApplicationScoped
public class DirectoryAccounts {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern UNIX = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    @Inject SpicegateConfig config;
    @Inject AuditLog audit;
    @Inject LdapDirectory ldap;
    @Inject EntityManager em;

    /** A directory login that must not go on; the message is a sentence for the person. */
    public static class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * The portal user for a directory identity: created when missing, updated otherwise. Does not reactivate a
     * user disabled in the portal (the caller refuses those). A local account of the same name is not taken over.
     */
    public User upsert(DirectoryIdentity id, Instant now) throws Refused {
        String username = id.username() == null ? "" : id.username().strip().toLowerCase(Locale.ROOT);
        if (!NAME.matcher(username).matches()) {
            throw new Refused("Your " + label(id.source()) + " account name '" + clip(username) + "' cannot be used "
                    + "here (1 to 64 lower-case letters, digits, '.', '_' or '-'): ask your administrator.");
        }
        String unix = id.unixUsername() == null || id.unixUsername().isBlank() ? username
                : id.unixUsername().strip().toLowerCase(Locale.ROOT);
        if (!UNIX.matcher(unix).matches()) {
            throw new Refused("Your Unix username '" + clip(unix) + "' from " + label(id.source())
                    + " is not a valid Unix username: ask your administrator.");
        }
        Optional<User> existing = User.findByUsername(username);
        User u;
        if (existing.isPresent()) {
            // the account lock, then the account as committed now: a deactivation either waits for this login (and
            // ends the session it opens in this transaction) or goes first and this login sees it (UserLocks)
            u = UserLocks.acting(existing.get().id);
            if (u == null) {
                throw new Refused("Your Spicegate account was deleted while you were logging in: ask your administrator.");
            }
            if (!id.source().equals(u.source)) {
                throw new Refused("There is already a " + u.source + " account named '" + username + "' in Spicegate, "
                        + "so your " + label(id.source()) + " login cannot use it: log in with that account, "
                        + "or ask your administrator.");
            }
        } else {
            u = new User();
            u.username = username;
            u.source = id.source();
            u.createdAt = now;
            u.active = true;
        }
        u.displayName = id.displayName() == null || id.displayName().isBlank() ? username : clipTo(id.displayName().strip(), 200);
        u.email = id.email() == null || id.email().isBlank() ? null : clipTo(id.email().strip(), 320);
        u.unixUsername = unix;
        Set<String> groups = groupNames(id.groups());
        config.adminGroup().filter(g -> !g.isBlank()).ifPresent(g -> u.admin = groups.contains(norm(g)));
        config.approverGroup().filter(g -> !g.isBlank()).ifPresent(g -> u.approver = groups.contains(norm(g)));
        if (existing.isEmpty()) {
            u.persist();
            audit.append(AuditLog.event("USER_CREATED").actor(id.source()).user(username)
                    .detail("first " + id.source() + " login"), now);
        }
        syncGroups(u, id.source(), groups, now);
        return u;
    }

    /**
     * Sets the user's memberships of directory groups to exactly {@code names}: joins (creating missing groups with
     * this source), leaves the others. A user has one directory, so every directory group he is in was set by it,
     * whichever directory created or declared the group. A local group of the same name is left alone and marked,
     * so that the admin pages show the clash.
     */
    void syncGroups(User u, String source, Set<String> names, Instant now) {
        Set<String> before = new TreeSet<>();
        for (Group g : List.copyOf(u.groups)) {
            if (g.fromDirectory()) {
                before.add(g.name);
                if (!names.contains(g.name)) {
                    g.removeMember(u);
                }
            }
        }
        for (String name : names) {
            Group g = Group.findByName(name).orElse(null);
            if (g == null) {
                // the first logins of several members of a new group, in parallel, create it once
                em.createNativeQuery("insert into user_group (name, source) values (?1, ?2) on conflict (name) do nothing")
                        .setParameter(1, name).setParameter(2, source).executeUpdate();
                g = Group.findByName(name).orElseThrow();
            }
            if (!g.fromDirectory()) {
                if (!source.equals(g.directoryClash)) {
                    g.directoryClash = source;
                    Log.warnf("Directory group %s of %s is a local group in the portal: membership not changed "
                            + "(make it a directory group on its admin page)", name, u.username);
                }
                continue;
            }
            if (!g.members.contains(u)) {
                g.addMember(u);
            }
        }
        u.groupsSyncedAt = now;
        Set<String> after = new TreeSet<>();
        u.groups.stream().filter(Group::fromDirectory).forEach(g -> after.add(g.name));
        if (!before.equals(after)) {
            audit.append(AuditLog.event("GROUPS_SYNCED").actor(source).user(u.username).detail(before + " -> " + after), now);
        }
        em.flush();
    }

    /**
     * Before a decision: an LDAP user's groups are re-read when older than the cache time, so a removal in the
     * directory counts without a new login. When the directory cannot be asked, the user is treated as in no
     * directory group (fail closed) until it answers again.
     */
    public void refreshBeforeDecision(User u, Instant now) {
        if (!"ldap".equals(u.source)) {
            return;
        }
        if (!ldap.enabled()) {
            syncGroups(u, "ldap", Set.of(), now);
            return;
        }
        int cache = config.ldap().groupCacheSeconds();
        if (u.groupsSyncedAt != null && cache > 0 && Duration.between(u.groupsSyncedAt, now).toSeconds() < cache) {
            return;
        }
        try {
            Optional<DirectoryIdentity> found = ldap.lookup(u.username);
            syncGroups(u, "ldap", groupNames(found.map(DirectoryIdentity::groups).orElse(Set.of())), now);
        } catch (LdapDirectory.Unavailable e) {
            Log.warnf("LDAP is not answering (%s): %s counts as in no LDAP group for now", e.getMessage(), u.username);
            syncGroups(u, "ldap", Set.of(), now);
            u.groupsSyncedAt = null; // ask again at the next decision
        }
    }

    /** Directory group names as portal group names (lower case; names the portal cannot hold are skipped). */
    static Set<String> groupNames(Set<String> raw) {
        Set<String> out = new TreeSet<>();
        for (String g : raw == null ? Set.<String>of() : raw) {
            String n = norm(g);
            if (NAME.matcher(n).matches()) {
                out.add(n);
            } else {
                Log.warnf("Directory group '%s' is not a valid portal group name: ignored", clip(g));
            }
        }
        return out;
    }

    /** Keycloak may send full paths ("/office/accounting"): the last segment is the name. */
    static String norm(String g) {
        String s = g == null ? "" : g.strip();
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            s = s.substring(slash + 1);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static String label(String source) {
        return "oidc".equals(source) ? "single sign-on" : "directory (LDAP)";
    }

    private static String clip(String s) {
        return clipTo(s == null ? "" : s, 64);
    }

    private static String clipTo(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
