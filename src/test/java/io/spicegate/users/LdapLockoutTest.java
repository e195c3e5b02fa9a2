package io.spicegate.users;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Directories;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The lockout holds for LDAP logins under concurrency too: 40 parallel binds of one account check at most 5 wrong passwords. */
@QuarkusTest
@QuarkusTestResource(value = Directories.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "keycloak", value = "false"))
class LdapLockoutTest {

    @Inject
    TestClock clock;

    @BeforeEach
    void monday() {
        clock.berlin("2026-11-23T10:00");
    }

    @Test
    void ldapLogins() throws Exception {
        ConcurrentLockoutTest.Burst.run("lola", "lola-ldap-pass", ConcurrentLockoutTest.MAX, ConcurrentLockoutTest::form, 303);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(303, ConcurrentLockoutTest.form("lola", "lola-ldap-pass").statusCode());
    }
}
