package io.spicegate.testing;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The identity sources of the single sign-on tests, started before the portal and named in its configuration:
 * a real Keycloak (keycloak-quarkus-dist from Maven Central, unpacked by the build into target/keycloak) with the
 * realm {@code office} imported from {@code sso/office-realm.json}, and a real LDAP server (UnboundID's
 * in-memory directory: simple binds, subtree searches, groupOfNames).
 */
public class Directories implements QuarkusTestResourceLifecycleManager {

    public static final String BASE = "dc=office,dc=example";
    public static final String PEOPLE = "ou=people," + BASE;
    public static final String GROUPS = "ou=groups," + BASE;
    public static final String SERVICE_DN = "cn=spicegate,ou=services," + BASE;
    public static final String SERVICE_PASSWORD = "ldap-service-pass";
    public static final String KEYCLOAK_SECRET = "spicegate-test-secret";
    static final Duration KEYCLOAK_READY = Duration.ofSeconds(240);

    private InMemoryDirectoryServer ldap;
    private Process keycloak;
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
        Path home = Path.of(System.getProperty("keycloak.test.home", "target/keycloak/keycloak-26.7.3"));
        Path kc = home.resolve("bin/kc.sh");
        if (!Files.isRegularFile(kc)) {
            throw new IllegalStateException(kc + " is missing: the build unpacks org.keycloak:keycloak-quarkus-dist "
                    + "into target/keycloak in generate-test-resources (run ./mvnw test, not the IDE alone)");
        }
        Path imports = Files.createDirectories(home.resolve("data/import"));
        try (InputStream realm = Directories.class.getResourceAsStream("/sso/office-realm.json")) {
            Files.copy(realm, imports.resolve("office-realm.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        int port = freePort();
        int management = freePort();
        Path log = Path.of("target", "keycloak.log");
        ProcessBuilder pb = new ProcessBuilder("bash", kc.toString(), "start-dev", "--http-host=127.0.0.1",
                "--http-port=" + port, "--http-management-port=" + management, "--db=dev-mem", "--import-realm",
                "--cache=local")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "kcadmin");
        pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "kcadmin-test-pass");
        long started = System.nanoTime();
        keycloak = pb.start();
        String issuer = "http://127.0.0.1:" + port + "/realms/office";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + KEYCLOAK_READY.toNanos();
        while (true) {
            if (!keycloak.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + keycloak.exitValue() + ": see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Keycloak was not ready within " + KEYCLOAK_READY.toSeconds() + " s: see "
                        + log.toAbsolutePath());
            }
            Thread.sleep(250);
        }
        System.out.printf("Keycloak ready at %s after %d s%n", issuer,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        return Map.of(
                "quarkus.oidc.auth-server-url", issuer,
                "quarkus.oidc.client-id", "spicegate",
                "quarkus.oidc.credentials.secret", KEYCLOAK_SECRET,
                "spicegate.oidc.provider-name", "Office Keycloak");
    }

    @Override
    public void stop() {
        if (keycloak != null) {
            keycloak.descendants().forEach(ProcessHandle::destroy);
            keycloak.destroy();
            try {
                if (!keycloak.waitFor(20, TimeUnit.SECONDS)) {
                    keycloak.descendants().forEach(ProcessHandle::destroyForcibly);
                    keycloak.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            keycloak = null;
        }
        if (ldap != null) {
            ldap.shutDown(true);
            ldap = null;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
