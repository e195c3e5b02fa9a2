package io.spicegate.users;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.spicegate.testing.Chromium;
import io.spicegate.testing.Db;
import io.spicegate.testing.Directories;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single sign-on against real identity sources (see {@link Directories}): a Keycloak whose login page is driven
 * in a real Chromium, and an LDAP server behind the local login form. Group rules follow the directory.
 */
@QuarkusTest
@QuarkusTestResource(value = Directories.class, restrictToAnnotatedClass = true)
class SsoTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @TestHTTPResource("/")
    URL portal;

    // read in @BeforeEach: an injected required property would break the other test classes' app, which has none
    String issuer;
    String ldapUrl;

    Chromium chromium;
    WebDriver driver;
    String base;

    @BeforeAll
    static void chromiumIsInstalled() {
        Chromium.requireInstalled();
    }

    @BeforeEach
    void startChromium() throws IOException {
        // Keycloak signs its tokens with the real time; the rules below allow every day all day
        clock.set(Instant.now());
        issuer = ConfigProvider.getConfig().getValue("quarkus.oidc.auth-server-url", String.class);
        ldapUrl = ConfigProvider.getConfig().getValue("spicegate.ldap.url", String.class);
        base = "http://127.0.0.1:" + portal.getPort();
        chromium = Chromium.start(1280, 900);
        driver = chromium.driver;
    }

    @AfterEach
    void quitChromium() throws IOException {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            chromium = null;
            driver = null;
        }
    }

    @Test
    void keycloakUserLogsInOnKeycloaksPageAndSeesTheConsoleOfHisKeycloakGroup() throws IOException {
        String console = groupConsole("kc-accounting", "oidc", "books");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));

        keycloakLogin(wait, "kcalice", "alice-kc-pass");

        wait.until(ExpectedConditions.urlToBe(base + "/consoles"));
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("console-" + console)));
        screenshot("sso-keycloak-dashboard.png");
        assertEquals("ALLOWED", row.getAttribute("data-decision"));

        // just-in-time account with the claims' details, the directory group and the approver role
        assertEquals(List.of("oidc|Alice Keycloak|alice@office.example|kcalice|true|false"),
                Db.strings("select source || '|' || display_name || '|' || email || '|' || unix_username || '|' "
                        + "|| is_approver || '|' || is_admin from app_user where username = 'kcalice'"));
        assertEquals(List.of("kc-accounting|oidc", "kc-approvers|oidc"), Db.strings(
                "select g.name || '|' || g.source from user_group g join group_member m on m.group_id = g.id "
                        + "join app_user u on u.id = m.user_id where u.username = 'kcalice' order by g.name"));
        assertTrue(Db.auditOf("kcalice").contains("LOGIN_OK|kcalice||oidc " + issuer), Db.auditOf("kcalice").toString());

        // logging out ends the portal session and offers the provider's logout
        driver.findElement(By.xpath("//form[@action='/logout']//button")).click();
        wait.until(ExpectedConditions.urlContains("/login?bye=1"));
        String providerLogout = driver.findElement(By.id("provider-logout")).getAttribute("href");
        assertEquals(base + "/logout/sso", providerLogout); // quarkus-oidc's RP-initiated logout (SingleSignOnIT follows it)
        driver.get(base + "/consoles");
        wait.until(ExpectedConditions.urlContains("/login"));
    }

    /**
     * Issue 18: someone who signs in with OIDC has no password, so HTTP Basic is closed to him; a personal API token
     * made on My account in the browser is his way in for scripts and the spicegate command.
     */
    @Test
    void aKeycloakUserMakesAnApiTokenOnMyAccountAndUsesItFromAScript() throws IOException {
        String console = groupConsole("kc-accounting", "oidc", "ledger");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        keycloakLogin(wait, "kcalice", "alice-kc-pass");
        wait.until(ExpectedConditions.urlToBe(base + "/consoles"));
        // no password in the portal: Basic with the directory's password is not a way in
        given().auth().preemptive().basic("kcalice", "alice-kc-pass").get("/api/v1/consoles").then().statusCode(401);

        driver.get(base + "/account");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-name"))).sendKeys("terminal");
        WebElement days = driver.findElement(By.id("token-days"));
        days.clear();
        days.sendKeys("14");
        driver.findElement(By.xpath("//form[@action='/account/tokens']//button[@type='submit']")).click();
        String token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-secret"))).getAttribute("value");
        screenshot("sso-keycloak-api-token.png");
        assertTrue(token.startsWith("sgp_"), token);

        String consoles = given().header("Authorization", "Bearer " + token).get("/api/v1/consoles").then().statusCode(200)
                .extract().asString();
        assertTrue(consoles.contains("\"" + console + "\""), consoles);
        driver.get(base + "/account");
        assertFalse(driver.getPageSource().contains(token));
    }

    @Test
    void aKeycloakUserDisabledInThePortalIsRefusedWithASentence() throws IOException {
        fixtures.directoryUser("kcdora", "oidc", false);
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        keycloakLogin(wait, "kcdora", "dora-kc-pass");

        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
        screenshot("sso-keycloak-disabled.png");
        assertTrue(error.getText().contains("Your account is deactivated in Spicegate"), error.getText());
        assertTrue(URI.create(driver.getCurrentUrl()).getPath().startsWith("/login"), driver.getCurrentUrl());
        assertNull(driver.manage().getCookieNamed("spicegate_session"));
        driver.get(base + "/consoles");
        wait.until(ExpectedConditions.urlContains("/login"));
        assertTrue(Db.auditOf("kcdora").stream().anyMatch(r -> r.startsWith("LOGIN_FAILED|") && r.contains("deactivated")),
                Db.auditOf("kcdora").toString());
    }

    @Test
    void ldapUserLogsInWithTheFormAndLosesHisGroupsConsoleWhenRemovedFromTheLdapGroup() throws Exception {
        String console = groupConsole("ldap-web", "ldap", "web");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));

        driver.get(base + "/login");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("lena");
        driver.findElement(By.id("password")).sendKeys("lena-ldap-pass");
        driver.findElement(By.cssSelector("form[action='/login'] button[type=submit]")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/consoles"));
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("console-" + console)));
        screenshot("sso-ldap-dashboard.png");
        assertEquals("ALLOWED", row.getAttribute("data-decision"));
        assertEquals(List.of("ldap|Lena LDAP|lena@office.example|lenax"), Db.strings("select source || '|' || display_name"
                + " || '|' || email || '|' || unix_username from app_user where username = 'lena'"));
        assertTrue(Db.auditOf("lena").contains("LOGIN_OK|lena||ldap " + ldapUrl), Db.auditOf("lena").toString());
        given().auth().preemptive().basic("lena", "lena-ldap-pass").get("/api/v1/consoles").then().statusCode(200)
                .body("find { it.name == '" + console + "' }.decision", org.hamcrest.Matchers.equalTo("ALLOWED"));
        String cookie = driver.manage().getCookieNamed("spicegate_session").getValue();

        // the directory takes lena out of ldap-web: the next decision no longer allows, without a new login
        try (LDAPConnection c = new LDAPConnection("127.0.0.1", URI.create(ldapUrl).getPort(), Directories.SERVICE_DN,
                Directories.SERVICE_PASSWORD)) {
            c.modify("cn=ldap-web," + Directories.GROUPS,
                    new Modification(ModificationType.DELETE, "member", "uid=lena," + Directories.PEOPLE));
        }
        driver.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
        screenshot("sso-ldap-dashboard-after-removal.png");
        assertTrue(driver.findElements(By.id("console-" + console)).isEmpty(), "the console is gone from the dashboard");
        given().cookie("spicegate_session", cookie).get("/api/v1/consoles").then().statusCode(200)
                .body("name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(console)));
        given().auth().preemptive().basic("lena", "lena-ldap-pass").contentType("application/json").body("{\"console\":\"" + console + "\"}").post("/api/v1/sessions")
                .then().statusCode(404);
        assertTrue(Db.auditOf("lena").stream().anyMatch(r -> r.startsWith("GROUPS_SYNCED|") && r.endsWith("[ldap-web] -> []")),
                Db.auditOf("lena").toString());
    }

    @Test
    void aLocalAccountOfTheSameNameWinsOverLdap() {
        fixtures.localUser("ldapdup");
        assertEquals(401, formLogin("ldapdup", "ldap-dup-pass").statusCode());
        assertEquals(303, formLogin("ldapdup", Fixtures.PASSWORD).statusCode());
        assertTrue(Db.auditOf("ldapdup").contains("LOGIN_OK|ldapdup||local account"), Db.auditOf("ldapdup").toString());
    }

    @Test
    void ldapLoginsAreLockedOutAfterFiveFailuresAndPasswordsAreNeverLogged() {
        for (int i = 0; i < 5; i++) {
            assertFalse(formLogin("larry", "wrong-ldap-secret").statusCode() == 303);
        }
        Response locked = formLogin("larry", "larry-ldap-pass");
        assertEquals(429, locked.statusCode());
        assertTrue(locked.asString().contains("locked"), locked.asString());
        List<String> audit = Db.auditOf("larry");
        assertTrue(audit.stream().anyMatch(r -> r.startsWith("LOGIN_FAILED|") && r.contains("ldap " + ldapUrl)), audit.toString());
        assertTrue(audit.stream().noneMatch(r -> r.contains("wrong-ldap-secret") || r.contains("larry-ldap-pass")), audit.toString());
        clock.advance(Duration.ofMinutes(6));
        assertEquals(303, formLogin("larry", "larry-ldap-pass").statusCode());
        // an empty password is never an (anonymous) LDAP bind
        assertFalse(formLogin("larry", "").statusCode() == 303);
    }

    static Response formLogin(String username, String password) {
        return given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("username", username).formParam("password", password).post("/login");
    }

    /** A directory group of {@code source}, a console {@code name} and a rule that gives it to the group: the console. */
    String groupConsole(String group, String source, String name) {
        fixtures.directoryGroup(group, source);
        String console = fixtures.console(name);
        fixtures.rule(console).group(group).save();
        return console;
    }

    /** From the portal's login page ("Log in with Office Keycloak") through Keycloak's own form. */
    void keycloakLogin(WebDriverWait wait, String username, String password) throws IOException {
        driver.get(base + "/login");
        WebElement button = wait.until(ExpectedConditions.elementToBeClickable(By.id("oidc-login")));
        assertEquals("Log in with Office Keycloak", button.getText());
        button.click();
        WebElement user = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        assertTrue(driver.getCurrentUrl().startsWith(issuer + "/protocol/openid-connect/auth"), driver.getCurrentUrl());
        screenshot("sso-keycloak-login-page.png");
        user.sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
    }

    void screenshot(String name) throws IOException {
        chromium.screenshot(name);
    }
}
