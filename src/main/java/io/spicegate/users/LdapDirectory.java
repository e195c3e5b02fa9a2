package io.spicegate.users;

import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.naming.AuthenticationException;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.InitialLdapContext;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * LDAP accounts with plain JNDI: bind as the service account, find the user under the user base by {@code uid},
 * bind as the user with his password, and read his groupOfNames memberships under the group base. The password
 * is only handed to the bind; it is never logged.
 */
@ApplicationScoped
public class LdapDirectory {

    @Inject SpicegateConfig config;

    /** The directory could not be asked (down, wrong service account, bad configuration). */
    public static class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public boolean enabled() {
        return config.ldap().url().filter(u -> !u.isBlank()).isPresent();
    }

    public String url() {
        return config.ldap().url().orElse("");
    }

    /** The user's identity when the password is right; empty when he is unknown or the password is wrong. */
    public Optional<DirectoryIdentity> authenticate(String username, String password) throws Unavailable {
        if (password == null || password.isEmpty()) {
            return Optional.empty(); // an empty password would be an anonymous bind, which "succeeds"
        }
        DirContext service = serviceContext();
        try {
            Optional<SearchResult> entry = findUser(service, username);
            if (entry.isEmpty()) {
                return Optional.empty();
            }
            String dn = entry.get().getNameInNamespace();
            try {
                connect(dn, password).close();
            } catch (AuthenticationException e) {
                return Optional.empty();
            } catch (NamingException e) {
                throw new Unavailable("binding as the user failed: " + e.getClass().getSimpleName(), e);
            }
            return Optional.of(identity(service, entry.get(), dn));
        } catch (NamingException e) {
            throw new Unavailable(e.getClass().getSimpleName() + " " + e.getExplanation(), e);
        } finally {
            close(service);
        }
    }

    /** The user's identity as the service account sees it (no password check); empty when he is no longer there. */
    public Optional<DirectoryIdentity> lookup(String username) throws Unavailable {
        DirContext service = serviceContext();
        try {
            Optional<SearchResult> entry = findUser(service, username);
            if (entry.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(identity(service, entry.get(), entry.get().getNameInNamespace()));
        } catch (NamingException e) {
            throw new Unavailable(e.getClass().getSimpleName() + " " + e.getExplanation(), e);
        } finally {
            close(service);
        }
    }

    private DirContext serviceContext() throws Unavailable {
        try {
            return connect(config.ldap().bindDn().orElse(null), config.ldap().bindPassword().orElse(null));
        } catch (NamingException e) {
            throw new Unavailable("cannot bind as the service account: " + e.getClass().getSimpleName() + " "
                    + e.getExplanation(), e);
        }
    }

    private DirContext connect(String dn, String password) throws NamingException {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, url());
        env.put("com.sun.jndi.ldap.connect.timeout", "5000");
        env.put("com.sun.jndi.ldap.read.timeout", "10000");
        env.put(Context.REFERRAL, "ignore");
        if (dn != null && !dn.isBlank()) {
            env.put(Context.SECURITY_AUTHENTICATION, "simple");
            env.put(Context.SECURITY_PRINCIPAL, dn);
            env.put(Context.SECURITY_CREDENTIALS, password == null ? "" : password);
        } else {
            env.put(Context.SECURITY_AUTHENTICATION, "none");
        }
        return new InitialLdapContext(env, null);
    }

    private Optional<SearchResult> findUser(DirContext ctx, String username) throws NamingException {
        SearchControls sc = new SearchControls();
        sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
        sc.setReturningAttributes(new String[] {"uid", "mail", "cn", "displayName", config.ldap().unixUsernameAttribute()});
        sc.setCountLimit(2);
        List<SearchResult> found = new ArrayList<>();
        NamingEnumeration<SearchResult> e = ctx.search(config.ldap().userBase().orElse(""), "(uid={0})",
                new Object[] {username}, sc);
        try {
            while (e.hasMore()) {
                found.add(e.next());
            }
        } catch (javax.naming.SizeLimitExceededException tooMany) {
            return Optional.empty();
        } finally {
            e.close();
        }
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty(); // two entries: ambiguous, refuse
    }

    private DirectoryIdentity identity(DirContext ctx, SearchResult entry, String dn) throws NamingException {
        Attributes a = entry.getAttributes();
        String uid = first(a, "uid");
        String display = first(a, "displayName");
        if (display == null) {
            display = first(a, "cn");
        }
        return new DirectoryIdentity("ldap", uid, display, first(a, "mail"),
                first(a, config.ldap().unixUsernameAttribute()), groupsOf(ctx, dn));
    }

    private Set<String> groupsOf(DirContext ctx, String dn) throws NamingException {
        Set<String> groups = new TreeSet<>();
        if (config.ldap().groupBase().filter(b -> !b.isBlank()).isEmpty()) {
            return groups;
        }
        SearchControls sc = new SearchControls();
        sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
        sc.setReturningAttributes(new String[] {"cn"});
        NamingEnumeration<SearchResult> e = ctx.search(config.ldap().groupBase().get(),
                "(&(objectClass=groupOfNames)(member={0}))", new Object[] {dn}, sc);
        try {
            while (e.hasMore()) {
                String cn = first(e.next().getAttributes(), "cn");
                if (cn != null) {
                    groups.add(cn);
                }
            }
        } finally {
            e.close();
        }
        return groups;
    }

    private static String first(Attributes attributes, String name) throws NamingException {
        Attribute a = attributes.get(name);
        Object v = a == null || a.size() == 0 ? null : a.get(0);
        return v == null ? null : v.toString();
    }

    private static void close(DirContext ctx) {
        try {
            ctx.close();
        } catch (NamingException ignored) {
            // closing a finished connection
        }
    }
}
