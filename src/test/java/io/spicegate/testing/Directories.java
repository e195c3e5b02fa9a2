package io.spicegate.testing;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The identity sources of the single sign-on tests, started before the portal and named in its configuration:
 * a real {@link Keycloak} with the realm {@code office}, and a real LDAP server (UnboundID's
 * in-memory directory: simple binds, subtree searches, groupOfNames).
 */
public class Directories implements QuarkusTestResourceLifecycleManager {

    public static final String BASE = "dc=office,dc=example";
    public static final String PEOPLE = "ou=people," + BASE;
    public static final String GROUPS = "ou=groups," + BASE;
    public static final String SERVICE_DN = "cn=spicegate,ou=services," + BASE;
    public static final String SERVICE_PASSWORD = "ldap-service-pass";
    public static final String KEYCLOAK_SECRET = Keycloak.SECRET;

    private InMemoryDirectoryServer ldap;
    private Keycloak keycloak;
    /** {@code @ResourceArg(name = "keycloak", value = "false")}: the LDAP directory alone (no OIDC provider). */
    private boolean withKeycloak = true;

    @Override
    public void init(Map<String, String> initArgs) {
        withKeycloak = !"false".equals(initArgs.get("keycloak"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        try {
            config.putAll(startLdap());
            if (withKeycloak) {
                config.putAll(startKeycloak());
            }
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("could not start the test directories: " + e.getMessage(), e);
        }
        return config;
    }

    private Map<String, String> startLdap() throws Exception {
        InMemoryDirectoryServerConfig cfg = new InMemoryDirectoryServerConfig(BASE);
        cfg.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        ldap = new InMemoryDirectoryServer(cfg);
        ldap.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: office");
        ldap.add("dn: " + PEOPLE, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
        ldap.add("dn: " + GROUPS, "objectClass: top", "objectClass: organizationalUnit", "ou: groups");
        ldap.add("dn: ou=services," + BASE, "objectClass: top", "objectClass: organizationalUnit", "ou: services");
        ldap.add("dn: " + SERVICE_DN, "objectClass: top", "objectClass: person", "cn: spicegate", "sn: service",
                "userPassword: " + SERVICE_PASSWORD);
        person("lena", "Lena LDAP", "lena-ldap-pass", "lenax");
        person("ldapdup", "Not the local one", "ldap-dup-pass", "ldapdup");
        person("larry", "Larry Lockout", "larry-ldap-pass", "larry");
        person("lola", "Lola Lockout", "lola-ldap-pass", "lola");
        person("nobody", "Placeholder", "nobody-pass-never", "nobody");
        // a groupOfNames needs at least one member: nobody stays in every group
        group("ldap-web", "lena", "nobody");
        group("ldap-admins", "nobody");
        ldap.startListening();
        String url = "ldap://127.0.0.1:" + ldap.getListenPort();
        return Map.of(
                "spicegate.ldap.url", url,
                "spicegate.ldap.bind-dn", SERVICE_DN,
                "spicegate.ldap.bind-password", SERVICE_PASSWORD,
                "spicegate.ldap.user-base", PEOPLE,
                "spicegate.ldap.group-base", GROUPS,
                "spicegate.ldap.unix-username-attribute", "employeeNumber",
                "spicegate.ldap.group-cache-seconds", "0",
                "spicegate.approver-group", "kc-approvers");
    }

    private void person(String uid, String cn, String password, String unix) throws Exception {
        ldap.add("dn: uid=" + uid + "," + PEOPLE, "objectClass: top", "objectClass: person",
                "objectClass: organizationalPerson", "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + cn,
                "sn: " + uid, "displayName: " + cn, "mail: " + uid + "@office.example", "employeeNumber: " + unix,
                "userPassword: " + password);
    }

    private void group(String cn, String... uids) throws Exception {
        String[] lines = new String[4 + uids.length];
        lines[0] = "dn: cn=" + cn + "," + GROUPS;
        lines[1] = "objectClass: top";
        lines[2] = "objectClass: groupOfNames";
        lines[3] = "cn: " + cn;
        for (int i = 0; i < uids.length; i++) {
            lines[4 + i] = "member: uid=" + uids[i] + "," + PEOPLE;
        }
        ldap.add(lines);
    }

    private Map<String, String> startKeycloak() throws Exception {
        keycloak = Keycloak.start(Path.of("target", "keycloak.log"));
        return Map.of(
                "quarkus.oidc.auth-server-url", keycloak.issuer,
                "quarkus.oidc.client-id", Keycloak.CLIENT_ID,
                "quarkus.oidc.credentials.secret", KEYCLOAK_SECRET,
                "spicegate.oidc.provider-name", "Office Keycloak");
    }

    @Override
    public void stop() {
        if (keycloak != null) {
            keycloak.close();
            keycloak = null;
        }
        if (ldap != null) {
            ldap.shutDown(true);
            ldap = null;
        }
    }
}
