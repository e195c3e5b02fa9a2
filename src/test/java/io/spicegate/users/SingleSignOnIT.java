package io.spicegate.users;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.Chromium;
import io.spicegate.testing.Keycloak;
import io.spicegate.testing.PortalProcess;
import io.spicegate.testing.Slapd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single sign-on against the packaged portal (production clock, embedded PostgreSQL with the demo office) with a
 * real Keycloak and a real OpenLDAP (Debian's slapd): the administrator declares the directory group
 * {@code consolers} and its rule before anyone signs in; olivia (Keycloak) and lena (LDAP) then see vm3; lena loses
 * it when removed from the LDAP group; oscar (Keycloak admin group) reads the audit, olivia may not; logging out
 * of single sign-on ends the Keycloak session too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SingleSignOnIT {

    static final String SUFFIX = "dc=office,dc=example";
    static final String PEOPLE = "ou=people," + SUFFIX;
    static final String GROUPS = "ou=groups," + SUFFIX;
    static final String SERVICE_DN = "cn=spicegate,ou=services," + SUFFIX;
    static final String SERVICE_PASSWORD = "slapd-service-test-pass";
    static final String LENA_PASSWORD = "lena-slapd-pass";

    static Slapd slapd;
    static Keycloak keycloak;
    static PortalProcess portal;
    static Path data;
    static Api admin;

    @BeforeAll
    static void start() throws Exception {
        Chromium.requireInstalled();
        Slapd.requireInstalled();
        data = Files.createTempDirectory("spicegate-sso-it-");
        slapd = Slapd.start(SUFFIX);
        slapd.add(String.join("\n",
                "dn: " + SUFFIX, "objectClass: top", "objectClass: dcObject", "objectClass: organization", "dc: office",
                "o: Office", "",
                "dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people", "",
                "dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups", "",
                "dn: ou=services," + SUFFIX, "objectClass: organizationalUnit", "ou: services", "",
                "dn: " + SERVICE_DN, "objectClass: person", "cn: spicegate", "sn: service",
                "userPassword: " + SERVICE_PASSWORD, "",
                "dn: uid=lena," + PEOPLE, "objectClass: inetOrgPerson", "uid: lena", "cn: Lena LDAP", "sn: lena",
                "displayName: Lena LDAP", "mail: lena@office.example", "userPassword: " + LENA_PASSWORD, "",
                "dn: uid=nobody," + PEOPLE, "objectClass: inetOrgPerson", "uid: nobody", "cn: Nobody", "sn: nobody",
                "userPassword: nobody-never-logs-in", "",
                // a groupOfNames needs a member: nobody stays in it
                "dn: cn=consolers," + GROUPS, "objectClass: groupOfNames", "cn: consolers",
                "member: uid=lena," + PEOPLE, "member: uid=nobody," + PEOPLE, ""));
        keycloak = Keycloak.start(PortalProcess.buildDir().resolve("keycloak-sso-it.log"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPICEGATE_DATA_DIR", data.toString());
        env.put("QUARKUS_OIDC_AUTH_SERVER_URL", keycloak.issuer);
        env.put("QUARKUS_OIDC_CLIENT_ID", Keycloak.CLIENT_ID);
        env.put("QUARKUS_OIDC_CREDENTIALS_SECRET", Keycloak.SECRET);
        env.put("SPICEGATE_OIDC_PROVIDER_NAME", "Office Keycloak");
        env.put("SPICEGATE_ADMIN_GROUP", "portal-admins");
        env.put("SPICEGATE_LDAP_URL", slapd.url);
        env.put("SPICEGATE_LDAP_BIND_DN", SERVICE_DN);
        env.put("SPICEGATE_LDAP_BIND_PASSWORD", SERVICE_PASSWORD);
        env.put("SPICEGATE_LDAP_USER_BASE", PEOPLE);
        env.put("SPICEGATE_LDAP_GROUP_BASE", GROUPS);
        env.put("SPICEGATE_LDAP_GROUP_CACHE_SECONDS", "0");
        portal = PortalProcess.start("sso-it-portal", env);
        admin = Api.basic(portal.base, "admin", "demo");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (portal != null) {
                portal.close();
            }
        } finally {
            try {
                if (keycloak != null) {
                    keycloak.close();
                }
            } finally {
                if (slapd != null) {
                    slapd.close();
                }
                if (data != null) {
                    try (Stream<Path> walk = Files.walk(data)) {
                        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    @Test
    @Order(1)
    void theAdministratorDeclaresConsolersAndItsRuleBeforeAnyoneSignsIn() {
        JsonNode g = admin.post("/api/v1/admin/groups", Map.of("name", "consolers", "fromDirectory", true)).expect(201).json();
        assertTrue(g.path("fromDirectory").asBoolean(), g.toString());
        assertEquals(0, g.path("members").size(), g.toString());
        JsonNode back = admin.get("/api/v1/admin/groups/" + g.path("id").asLong()).expect(200).json();
        assertEquals("consolers", back.path("name").asText());
        assertTrue(back.path("fromDirectory").asBoolean(), back.toString());
        admin.post("/api/v1/admin/rules", Map.of("console", "vm3", "group", "consolers", "effect", "ALLOW",
                "zone", "Europe/Berlin", "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY",
                        "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00")))).expect(201);
        Api.Answer byHand = admin.put("/api/v1/admin/groups/" + g.path("id").asLong(), Map.of("members", List.of("charlie")));
        assertEquals(400, byHand.status(), byHand.body());
        assertTrue(byHand.body().contains("takes its members from the directories"), byHand.body());
    }

    @Test
    @Order(2)
    void oliviaSignsInThroughKeycloakSeesVm3AndIsRefusedTheAuditThenLogsOutOfKeycloakToo() throws Exception {
        try (Chromium chromium = Chromium.start(1280, 900)) {
            WebDriverWait wait = new WebDriverWait(chromium.driver, Duration.ofSeconds(60));
            keycloakSignIn(chromium, wait, "olivia", "olivia-kc-pass");
            WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("console-vm3")));
            chromium.screenshot("sso-it-olivia-dashboard.png");
            assertEquals("ALLOWED", row.getAttribute("data-decision"));
            String cookie = chromium.driver.manage().getCookieNamed(AuthFilter.COOKIE).getValue();
            assertEquals(403, get("/api/v1/admin/audit", cookie).statusCode());
            String audit = admin.get("/api/v1/admin/audit?user=olivia").expect(200).body();
            assertTrue(audit.contains("oidc " + keycloak.issuer), audit);

            // log out: the portal's session ends; "Also log out of single sign-on" ends Keycloak's too
            chromium.driver.findElement(By.xpath("//form[@action='/logout']//button")).click();
            wait.until(ExpectedConditions.urlContains("/login?bye=1"));
            assertEquals(401, get("/api/v1/consoles", cookie).statusCode());
            wait.until(ExpectedConditions.elementToBeClickable(By.id("provider-logout"))).click();
            wait.until(d -> URI.create(d.getCurrentUrl()).getPath().equals("/login")
                    && d.getCurrentUrl().startsWith(portal.base) || d.findElements(By.id("kc-logout")).size() > 0);
            if (!chromium.driver.findElements(By.id("kc-logout")).isEmpty()) {
                chromium.driver.findElement(By.id("kc-logout")).click();   // Keycloak asks when it has no id_token_hint
            }
            wait.until(d -> d.getCurrentUrl().startsWith(portal.base + "/login"));
            // signing in again needs Keycloak's form: its session is gone
            chromium.driver.get(portal.base + "/login/oidc");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-login")));
            assertTrue(chromium.driver.getCurrentUrl().startsWith(keycloak.issuer + "/protocol/openid-connect/auth"),
                    chromium.driver.getCurrentUrl());
            chromium.screenshot("sso-it-after-sso-logout.png");
        }
    }

    @Test
    @Order(3)
    void oscarOfTheAdminGroupReadsTheAudit() throws Exception {
        try (Chromium chromium = Chromium.start(1280, 900)) {
            WebDriverWait wait = new WebDriverWait(chromium.driver, Duration.ofSeconds(60));
            keycloakSignIn(chromium, wait, "oscar", "oscar-kc-pass");
            wait.until(ExpectedConditions.urlToBe(portal.base + "/consoles"));
            String cookie = chromium.driver.manage().getCookieNamed(AuthFilter.COOKIE).getValue();
            HttpResponse<String> audit = get("/api/v1/admin/audit?user=olivia", cookie);
            assertEquals(200, audit.statusCode(), audit.body());
            assertTrue(audit.body().contains("LOGIN_OK"), audit.body());
        }
    }

    @Test
    @Order(4)
    void lenaFromLdapSeesVm3WithTheFormAndBasicAndLosesItWhenRemovedFromTheGroup() throws Exception {
        Api lena = Api.basic(portal.base, "lena", LENA_PASSWORD);
        assertEquals("ALLOWED", decision(lena.get("/api/v1/consoles").expect(200).json(), "vm3"));
        try (Chromium chromium = Chromium.start(1280, 900)) {
            WebDriverWait wait = new WebDriverWait(chromium.driver, Duration.ofSeconds(30));
            chromium.driver.get(portal.base + "/login");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("lena");
            chromium.driver.findElement(By.id("password")).sendKeys(LENA_PASSWORD);
            chromium.driver.findElement(By.cssSelector("form[action='/login'] button[type=submit]")).click();
            wait.until(ExpectedConditions.urlToBe(portal.base + "/consoles"));
            assertEquals("ALLOWED", wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("console-vm3")))
                    .getAttribute("data-decision"));

            slapd.modify(String.join("\n", "dn: cn=consolers," + GROUPS, "changetype: modify", "delete: member",
                    "member: uid=lena," + PEOPLE, "-", ""));

            // the next decision, without a new login
            chromium.driver.navigate().refresh();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
            chromium.screenshot("sso-it-lena-after-removal.png");
            assertTrue(chromium.driver.findElements(By.id("console-vm3")).isEmpty(), "vm3 is gone from lena's dashboard");
        }
        assertEquals("absent", decision(lena.get("/api/v1/consoles").expect(200).json(), "vm3"));
        assertEquals(404, lena.post("/api/v1/sessions", Map.of("console", "vm3")).status());
    }

    void keycloakSignIn(Chromium chromium, WebDriverWait wait, String username, String password) {
        chromium.driver.get(portal.base + "/login");
        WebElement button = wait.until(ExpectedConditions.elementToBeClickable(By.id("oidc-login")));
        assertEquals("Log in with Office Keycloak", button.getText());
        button.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(username);
        assertTrue(chromium.driver.getCurrentUrl().startsWith(keycloak.issuer + "/protocol/openid-connect/auth"),
                chromium.driver.getCurrentUrl());
        String auth = chromium.driver.getCurrentUrl();
        assertTrue(auth.contains("code_challenge_method=S256") && auth.contains("nonce=") && auth.contains("state="), auth);
        chromium.driver.findElement(By.id("password")).sendKeys(password);
        chromium.driver.findElement(By.id("kc-login")).click();
        wait.until(ExpectedConditions.urlToBe(portal.base + "/consoles"));
    }

    static String decision(JsonNode consoles, String name) {
        for (JsonNode c : consoles) {
            if (name.equals(c.path("name").asText())) {
                return c.path("decision").asText();
            }
        }
        return "absent";
    }

    static HttpResponse<String> get(String path, String cookie) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(portal.base + path))
                .header("Cookie", AuthFilter.COOKIE + "=" + cookie).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
