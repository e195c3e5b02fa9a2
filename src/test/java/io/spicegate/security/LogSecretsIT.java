package io.spicegate.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Secrets never reach a log. The packaged portal runs as an operator debugging it would run it (every category at
 * DEBUG, SQL logging on, the HTTP access log with query strings, a log file besides the console) next to the real
 * workstation agent jar (JUL at ALL); a full journey then handles every kind of secret: form and Basic logins, a
 * wrong password, LDAP logins (the service account's and the user's bind passwords), a password change, an
 * administrator creating an account and resetting a password, enrollment
 * tokens and the agents' secrets, login cookies and CSRF tokens, a console's static password, the host agent's
 * one-time SPICE password and the whole {@code .vv}. Every captured log (portal stdout/stderr and log file, agent
 * output, any log under the data directory) is then searched for each of them.
 */
class LogSecretsIT {

    private static final String PREFIX = "sgwh";
    private static final Path AGENT_JAR = PortalProcess.buildDir().resolve("spicegate-agent.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern COOKIE = Pattern.compile("spicegate_session=([^;]+)");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The secrets seen during the run, by what they are. */
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final List<Web> webs = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private String secret(String what, String value) {
        assertNotNull(value, what);
        assertTrue(value.length() >= 8, what + " is too short to search for");
        secrets.putIfAbsent(what, value);
        return value;
    }

    private static String random(String label) {
        byte[] b = new byte[9];
        RANDOM.nextBytes(b);
        return PREFIX + "-" + label + "-" + HexFormat.of().formatHex(b);
    }

    @Test
    void aFullRunLeavesNoSecretInAnyLog() throws Exception {
        // OIDC is left out here: it needs Keycloak (a minute or more to start); SsoTest covers that flow
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("LogSecretsIT runs the workstation agent, which needs root for its iptables chain in a network namespace");
        }
        assertTrue(Files.isRegularFile(AGENT_JAR), AGENT_JAR + " missing: run the package phase first");
        Path work = Files.createTempDirectory(PREFIX + "-logs-");
        Path data = work.resolve("data");
        Path portalFileLog = work.resolve("portal-file.log");
        Path state = Files.createDirectories(work.resolve("agent-state"));
        Path agentLog = work.resolve("agent.log");
        String suffix = HexFormat.of().formatHex(new byte[] {(byte) RANDOM.nextInt(), (byte) RANDOM.nextInt(), (byte) RANDOM.nextInt()});
        String netns = PREFIX + "-" + suffix;
        int subnet = 1 + RANDOM.nextInt(250);
        String wsAddress = "10.99." + subnet + ".1";
        String kvmAddress = "10.99." + subnet + ".2";

        String adminPassword = secret("the first admin password (SPICEGATE_ADMIN_PASSWORD)", random("admin"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPICEGATE_DATA_DIR", data.toString());
        env.put("SPICEGATE_DEMO", "false");
        env.put("SPICEGATE_ADMIN_PASSWORD", adminPassword);
        env.put("SPICEGATE_AGENT_POLL_SECONDS", "2");
        // as an operator debugging it: everything at DEBUG, SQL statements, the access log with the query string,
        // and a log file as well as the console
        env.put("QUARKUS_LOG_LEVEL", "DEBUG");
        env.put("QUARKUS_LOG_CATEGORY__IO_SPICEGATE__LEVEL", "DEBUG");
        env.put("QUARKUS_HIBERNATE_ORM_LOG_SQL", "true");
        env.put("QUARKUS_HTTP_ACCESS_LOG_ENABLED", "true");
        env.put("QUARKUS_HTTP_ACCESS_LOG_PATTERN", "%h %l %u %t \"%r\" %s %b \"%{i,Referer}\" \"%{i,User-Agent}\"");
        env.put("QUARKUS_LOG_FILE_ENABLED", "true");
        env.put("QUARKUS_LOG_FILE_PATH", portalFileLog.toString());
        // the test claims the workstation's address as a trusted proxy would
        env.put("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true");
        env.put("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true");
        env.put("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1");

        // an LDAP directory (UnboundID's in-memory server, in this JVM) behind the login form
        String servicePassword = secret("the LDAP service account's bind password", random("ldapsvc"));
        String lenaPassword = secret("an LDAP user's password", random("lena"));
        String base0 = "dc=" + PREFIX + ",dc=example";
        InMemoryDirectoryServerConfig ldapConfig = new InMemoryDirectoryServerConfig(base0);
        ldapConfig.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        InMemoryDirectoryServer ldap = new InMemoryDirectoryServer(ldapConfig);
        ldap.add("dn: " + base0, "objectClass: top", "objectClass: domain", "dc: " + PREFIX);
        ldap.add("dn: ou=people," + base0, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
        ldap.add("dn: ou=groups," + base0, "objectClass: top", "objectClass: organizationalUnit", "ou: groups");
        ldap.add("dn: cn=spicegate," + base0, "objectClass: top", "objectClass: person", "cn: spicegate", "sn: service",
                "userPassword: " + servicePassword);
        ldap.add("dn: uid=lena,ou=people," + base0, "objectClass: top", "objectClass: person", "objectClass: organizationalPerson",
                "objectClass: inetOrgPerson", "uid: lena", "cn: Lena", "sn: lena", "mail: lena@example.org",
                "userPassword: " + lenaPassword);
        ldap.add("dn: cn=ldap-team,ou=groups," + base0, "objectClass: top", "objectClass: groupOfNames", "cn: ldap-team",
                "member: uid=lena,ou=people," + base0);
        ldap.startListening();
        env.put("SPICEGATE_LDAP_URL", "ldap://127.0.0.1:" + ldap.getListenPort());
        env.put("SPICEGATE_LDAP_BIND_DN", "cn=spicegate," + base0);
        env.put("SPICEGATE_LDAP_BIND_PASSWORD", servicePassword);
        env.put("SPICEGATE_LDAP_USER_BASE", "ou=people," + base0);
        env.put("SPICEGATE_LDAP_GROUP_BASE", "ou=groups," + base0);

        Process agent = null;
        boolean netnsMade = false;
        PortalProcess portal;
        try {
            portal = PortalProcess.start(PREFIX + "-log-portal", env);
        } catch (Exception | Error e) {
            ldap.shutDown(true);
            throw e;
        }
        try {
            String base = portal.base;
            Web anonymous = new Web(base, null);
            // the embedded database's generated passwords and the audit key (data dir, 0600)
            java.util.Properties generated = new java.util.Properties();
            try (var in = Files.newBufferedReader(data.resolve("secrets.properties"))) {
                generated.load(in);
            }
            secret("the embedded database owner's password", generated.getProperty("owner-password"));
            secret("the embedded database runtime role's password", generated.getProperty("runtime-password"));
            secret("the audit key (SPICEGATE_AUDIT_KEY)", generated.getProperty("audit-key"));

            // form and Basic logins of the first admin; a wrong password in each way
            String wrong = secret("a wrong password", random("wrong"));
            assertEquals(401, anonymous.login("admin", wrong).statusCode());
            Api.basic(base, "admin", wrong).get("/api/v1/consoles").expect(401);
            secret("Basic header with a wrong password", basicHeader("admin", wrong));
            Web admin = login(anonymous, "admin", adminPassword);
            Api adminApi = Api.basic(base, "admin", adminPassword);
            secret("Basic header of the admin", basicHeader("admin", adminPassword));
            adminApi.get("/api/v1/admin/users").expect(200);

            // an LDAP account: a wrong password, a form login and a Basic login, each a bind with the password
            String lenaWrong = secret("a wrong LDAP password", random("lenawrong"));
            assertEquals(401, anonymous.login("lena", lenaWrong).statusCode());
            Web lena = login(anonymous, "lena", lenaPassword);
            lena.csrf("/consoles");
            Api.basic(base, "lena", lenaPassword).get("/api/v1/consoles").expect(200);
            secret("Basic header of the LDAP user", basicHeader("lena", lenaPassword));
            assertEquals(303, lena.form("/logout", lena.csrf("/consoles"), Map.of()).statusCode());

            // the administrator creates accounts with passwords: one by the API, one by the form, and resets one
            String alicePassword = secret("alice's first password", random("alice"));
            adminApi.post("/api/v1/admin/users", Map.of("username", "alice", "password", alicePassword,
                    "unixUsername", "nobody", "roles", List.of("user"))).expect(201);
            String bobPassword = secret("bob's password, set on the admin form", random("bob"));
            HttpResponse<String> created = admin.form("/admin/users", admin.csrf("/admin/users/new"), Map.of("username", "bob",
                    "displayName", "Bob", "email", "bob@example.org", "unixUsername", "bob", "roles", "user",
                    "password", bobPassword, "repeat", bobPassword));
            assertEquals(303, created.statusCode(), created.body());
            long bobId = -1;
            for (JsonNode u : adminApi.get("/api/v1/admin/users").expect(200).json()) {
                if (u.get("username").asText().equals("bob")) {
                    bobId = u.get("id").asLong();
                }
            }
            assertTrue(bobId > 0, "bob was not created by the form");
            String bobReset = secret("bob's password, reset by the admin", random("reset"));
            HttpResponse<String> reset = admin.form("/admin/users/" + bobId + "/password", admin.csrf("/admin/users/" + bobId),
                    Map.of("password", bobReset, "repeat", bobReset));
            assertTrue(reset.statusCode() == 303 || reset.statusCode() == 200, reset.statusCode() + " " + reset.body());
            assertEquals(303, anonymous.login("bob", bobReset).statusCode(), "the reset password works");

            // a KVM host (CA, console with a static password) and a workstation, both with enrollment tokens
            String caPem = selfSignedCa(work);
            String caBody = secret("the CA in the .vv (a line of its base64)", caPem.lines().filter(l -> !l.startsWith("-----"))
                    .findFirst().orElseThrow());
            JsonNode host = adminApi.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", kvmAddress, "caPem", caPem))
                    .expect(201).json();
            String hostToken = secret("the host enrollment token", host.get("enrollmentToken").asText());
            String staticPassword = secret("the console's static SPICE password", random("spice"));
            adminApi.post("/api/v1/admin/consoles", Map.of("name", "vmx", "host", "kvm", "tlsPort", 20002,
                    "hostSubject", "CN=kvm", "password", staticPassword)).expect(201);
            adminApi.post("/api/v1/admin/rules", Map.of("console", "vmx", "user", "alice", "effect", "ALLOW", "zone", "UTC",
                    "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                            "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00")))).expect(201);
            JsonNode ws = adminApi.post("/api/v1/admin/workstations", Map.of("name", "ws", "addresses", List.of(wsAddress)))
                    .expect(201).json();
            String wsToken = secret("the workstation enrollment token", ws.get("enrollmentToken").asText());

            // the host agent, simulated over HTTP: enrollment trades the token for its secret
            JsonNode hostEnrolled = Api.anonymous(base).post("/api/agent/v1/enroll", Map.of("token", hostToken, "hostname", "kvm"))
                    .expect(200).json();
            String hostSecret = secret("the host agent's secret", hostEnrolled.get("secret").asText());
            Api hostAgent = Api.bearer(base, hostSecret);
            secret("the host agent's Authorization header", "Bearer " + hostSecret);

            // the real workstation agent, as root, its chain in a namespace of its own, logging everything
            run("ip", "netns", "add", netns);
            netnsMade = true;
            run("ip", "-n", netns, "link", "set", "lo", "up");
            Path julConfig = work.resolve("logging.properties");
            Files.writeString(julConfig, "handlers=java.util.logging.ConsoleHandler\n.level=ALL\n"
                    + "java.util.logging.ConsoleHandler.level=ALL\n");
            Path config = state.resolve("agent.properties");
            Files.writeString(config, "portal.url=" + base + "\nenrollment.token=" + wsToken + "\nstate.dir=" + state
                    + "\nnetns=" + netns + "\nretry.seconds=1\npoll.timeout.seconds=5\nhostname=ws\n");
            agent = new ProcessBuilder(JAVA, "-Djava.util.logging.config.file=" + julConfig, "-jar", AGENT_JAR.toString(),
                    "--config", config.toString()).redirectErrorStream(true).redirectOutput(agentLog.toFile()).start();
            Path secretFile = state.resolve("secret");
            await(() -> Files.isRegularFile(secretFile), "the agent's enrollment", agentLog);
            String wsSecret = secret("the workstation agent's secret", Files.readString(secretFile).strip());
            secret("the workstation agent's Authorization header", "Bearer " + wsSecret);

            // alice: form login from the workstation, password change, Basic login, Open console
            Web alice = login(anonymous.from(wsAddress), "alice", alicePassword);
            String aliceNew = secret("alice's new password", random("alicenew"));
            HttpResponse<String> changed = alice.form("/account/password", alice.csrf("/account"),
                    Map.of("current", alicePassword, "next", aliceNew, "repeat", aliceNew));
            assertEquals(200, changed.statusCode(), changed.body());
            Api.basic(base, "alice", aliceNew).get("/api/v1/consoles").expect(200);
            secret("Basic header of alice", basicHeader("alice", aliceNew));
            // personal API tokens: one from the API, one from My account's form; used, refused, revoked
            JsonNode apiToken = Api.basic(base, "alice", aliceNew).post("/api/v1/tokens", Map.of("name", "ci", "days", 7))
                    .expect(201).json();
            String token = secret("alice's API token", apiToken.get("token").asText());
            secret("the random part of alice's API token", token.substring(4));
            Api.bearer(base, token).get("/api/v1/consoles").expect(200);
            Api.bearer(base, token).get("/api/agent/v1/grants").expect(401);
            HttpResponse<String> formToken = alice.form("/account/tokens", alice.csrf("/account"),
                    Map.of("name", "desk", "days", "7"));
            assertEquals(200, formToken.statusCode(), formToken.body());
            Matcher shown = Pattern.compile("value=\"(sgp_[A-Za-z0-9_-]+)\"").matcher(formToken.body());
            assertTrue(shown.find(), "the page shows the new token");
            String pageToken = secret("alice's API token from My account", shown.group(1));
            Api.bearer(base, pageToken).get("/api/v1/sessions").expect(200);
            Api.bearer(base, token).delete("/api/v1/tokens/" + apiToken.get("id").asText()).expect(200);
            Api.bearer(base, token).get("/api/v1/consoles").expect(401);
            secret("the Authorization header of alice's API token", "Bearer " + token);
            HttpResponse<String> opened = alice.form("/consoles/vmx/open", alice.csrf("/consoles"), Map.of());
            assertEquals(303, opened.statusCode(), opened.body());
            String location = opened.headers().firstValue("Location").orElseThrow();
            Matcher m = Pattern.compile("/sessions/([0-9a-f-]{36})").matcher(location);
            assertTrue(m.find(), location);
            String session = m.group(1);

            // the host agent's long-poll hands out the one-time password; it acks it
            JsonNode tickets = awaitJson(() -> hostAgent.get("/api/agent/v1/tickets?after=0").expect(200).json(),
                    t -> t.get("tickets").size() > 0, "a ticket for the session");
            String ticket = secret("the one-time SPICE password", tickets.get("tickets").get(0).get("password").asText());
            hostAgent.post("/api/agent/v1/tickets/ack", Map.of("version", tickets.get("version").asLong(),
                    "applied", List.of(session), "errors", List.of())).expect(204);

            // the .vv, once the workstation agent has acked the grant
            HttpResponse<String> vv = awaitResponse(() -> alice.get("/sessions/" + session + "/console.vv"),
                    r -> r.statusCode() != 503, "the launch file", agentLog);
            assertEquals(200, vv.statusCode(), vv.body());
            String file = vv.body();
            assertTrue(file.startsWith("[virt-viewer]"), file);
            String vvPassword = file.lines().filter(l -> l.startsWith("password=")).findFirst().orElseThrow()
                    .substring("password=".length());
            assertEquals(ticket, vvPassword, "the .vv carries the one-time password");
            assertTrue(file.contains(caBody.substring(0, 20)) || file.contains("ca=-----BEGIN CERTIFICATE-----"), file);
            secret("the .vv's ca= line", file.lines().filter(l -> l.startsWith("ca=")).findFirst().orElseThrow());
            secret("the .vv's password= line", "password=" + vvPassword);
            secret("the .vv marker [virt-viewer]", "[virt-viewer]");
            secret("the .vv key tls-ciphers", "tls-ciphers");
            secret("the .vv key delete-this-file", "delete-this-file");

            // the session ends, alice and the admin log out
            HttpResponse<String> ended = alice.form("/sessions/" + session + "/end", alice.csrf("/sessions"), Map.of());
            assertEquals(303, ended.statusCode(), ended.body());
            assertEquals(303, alice.form("/logout", alice.csrf("/consoles"), Map.of()).statusCode());
            assertEquals(303, admin.form("/logout", admin.csrf("/consoles"), Map.of()).statusCode());
            for (Web w : webs) {
                secret("a login cookie (" + w.who + ")", w.cookie);
                w.csrfTokens.forEach(t -> secret("a CSRF token (" + w.who + ")", t));
            }
            Thread.sleep(1500); // the agent's next poll and ack, logged too
        } finally {
            if (agent != null) {
                agent.destroy();
                if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                    agent.waitFor(10, TimeUnit.SECONDS);
                }
            }
            portal.close();
            ldap.shutDown(true);
            if (netnsMade) {
                run("ip", "netns", "del", netns);
            }
        }

        // every log there is: the portal's console and file, the agent's output, any log in the data directory
        List<Path> logs = new ArrayList<>(List.of(PortalProcess.buildDir().resolve(PREFIX + "-log-portal.log"), portalFileLog,
                agentLog));
        try (Stream<Path> files = Files.walk(data)) {
            files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".log")
                    || f.toString().contains("/log/") || f.toString().contains("/pg_log/")).forEach(logs::add);
        }
        long lines = 0;
        List<String> leaks = new ArrayList<>();
        for (Path log : logs) {
            assertTrue(Files.isRegularFile(log), log + " is missing");
            List<String> content = Files.readAllLines(log, StandardCharsets.ISO_8859_1); // any bytes, never a decoding error
            lines += content.size();
            for (int i = 0; i < content.size(); i++) {
                for (var s : secrets.entrySet()) {
                    if (content.get(i).contains(s.getValue())) {
                        leaks.add(log + ":" + (i + 1) + ": " + s.getKey() + " in: " + mask(content.get(i)));
                    }
                }
            }
        }
        long debugLines = Files.readAllLines(PortalProcess.buildDir().resolve(PREFIX + "-log-portal.log"), StandardCharsets.ISO_8859_1)
                .stream().filter(l -> l.contains(" DEBUG ")).count();
        long accessLines = Files.readAllLines(portalFileLog, StandardCharsets.ISO_8859_1).stream()
                .filter(l -> l.contains("\"POST /login HTTP/")).count();
        System.out.println("LogSecretsIT: " + secrets.size() + " secrets searched in " + logs.size() + " logs, " + lines
                + " lines (" + debugLines + " portal DEBUG lines, " + accessLines + " access-log lines of POST /login)");
        assertTrue(debugLines > 100, "the portal did not log at DEBUG: the search would prove nothing");
        assertTrue(accessLines >= 3, "the access log did not record the logins: the search would prove nothing");
        assertTrue(Files.readString(agentLog).contains("enrolled as workstation"), "the agent's log is not captured");
        if (!leaks.isEmpty()) {
            Map<String, Long> byKind = leaks.stream().collect(Collectors.groupingBy(
                    l -> l.substring(l.indexOf(": ") + 2, l.indexOf(" in: ")), java.util.TreeMap::new, Collectors.counting()));
            fail(leaks.size() + " secret(s) in the logs, by kind " + byKind + "; the first ones:\n"
                    + String.join("\n", leaks.subList(0, Math.min(25, leaks.size()))));
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** The line with every secret in it replaced by stars, so the failure message itself leaks nothing. */
    private String mask(String line) {
        String out = line;
        for (String s : secrets.values()) {
            out = out.replace(s, "*".repeat(8));
        }
        return out.length() > 400 ? out.substring(0, 400) + "..." : out;
    }

    private static String basicHeader(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private Web login(Web anonymous, String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> r = anonymous.login(user, password);
        assertEquals(303, r.statusCode(), "login of " + user + ": " + r.body());
        String setCookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("spicegate_session="))
                .findFirst().orElseThrow();
        Matcher m = COOKIE.matcher(setCookie);
        assertTrue(m.find(), setCookie);
        return anonymous.as(user, m.group(1));
    }

    /** A browser: the login cookie, our own Origin, and the workstation address the trusted proxy vouches for. */
    private final class Web {
        final String base;
        final String cookie;
        final String who;
        final String forwardedFor;
        final List<String> csrfTokens = new ArrayList<>();

        Web(String base, String cookie) {
            this(base, cookie, "anonymous", null);
        }

        Web(String base, String cookie, String who, String forwardedFor) {
            this.base = base;
            this.cookie = cookie;
            this.who = who;
            this.forwardedFor = forwardedFor;
        }

        Web from(String address) {
            return new Web(base, cookie, who, address);
        }

        Web as(String user, String token) {
            Web w = new Web(base, token, user, forwardedFor);
            webs.add(w);
            return w;
        }

        HttpRequest.Builder request(String path) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Origin", base).header("User-Agent", "sgwh-test-browser");
            if (cookie != null) {
                b.header("Cookie", "spicegate_session=" + cookie);
            }
            if (forwardedFor != null) {
                b.header("X-Forwarded-For", forwardedFor);
            }
            return b;
        }

        HttpResponse<String> get(String path) {
            return send(request(path).GET());
        }

        HttpResponse<String> login(String user, String password) {
            return send(request("/login").header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(encode(Map.of("username", user, "password", password,
                            "next", "/consoles")))));
        }

        String csrf(String page) {
            HttpResponse<String> r = get(page);
            assertEquals(200, r.statusCode(), page + ": " + r.body());
            Matcher m = CSRF.matcher(r.body());
            assertTrue(m.find(), "no CSRF token on " + page);
            csrfTokens.add(m.group(1));
            return m.group(1);
        }

        HttpResponse<String> form(String path, String csrf, Map<String, String> fields) {
            Map<String, String> all = new LinkedHashMap<>(fields);
            all.put("csrf", csrf);
            return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(encode(all))));
        }

        private HttpResponse<String> send(HttpRequest.Builder b) {
            try {
                return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static String encode(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    /** A throw-away CA certificate in PEM, made by the JDK's keytool. */
    private static String selfSignedCa(Path work) throws IOException, InterruptedException {
        Path store = work.resolve("ca.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=" + PREFIX + "-ca", "-validity", "2",
                "-ext", "bc:c", "-keystore", store.toString(), "-storepass", "changeit", "-storetype", "PKCS12");
        return run(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", "changeit");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }

    private static void await(Supplier<Boolean> condition, String what, Path log) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            Thread.sleep(200);
        }
        fail("no " + what + " within 60 s; agent log:\n" + Files.readString(log));
    }

    private static JsonNode awaitJson(Supplier<JsonNode> poll, java.util.function.Predicate<JsonNode> done, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = poll.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + what + " within 60 s: " + last);
    }

    private static HttpResponse<String> awaitResponse(Supplier<HttpResponse<String>> poll,
                                                      java.util.function.Predicate<HttpResponse<String>> done, String what,
                                                      Path log) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = poll.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("no " + what + " within 60 s: " + (last == null ? "-" : last.statusCode() + " " + last.body())
                + "\nagent log:\n" + Files.readString(log));
    }
}
