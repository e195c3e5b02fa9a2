package io.spicegate.testing;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

import java.util.Map;

/**
 * A real SMTP server (GreenMail) for every {@code @QuarkusTest}, on free loopback ports: the portal's mailer
 * (not mocked) delivers to it, and {@link Mailbox} reads the mail back over IMAP. Global, so all test
 * classes share one application start.
 */
@WithTestResource(value = SmtpServer.class, scope = TestResourceScope.GLOBAL)
public class SmtpServer implements QuarkusTestResourceLifecycleManager {

    public static final String FROM = "spicegate@portal.test";
    public static final String IMAP_PORT = "greenmail.imap-port";

    private GreenMail greenMail;

    @Override
    public Map<String, String> start() {
        greenMail = new GreenMail(new ServerSetup[] {
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort(),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort()})
                // any login reads the mailbox of that address: the tests read each person's mail
                .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        greenMail.start();
        return Map.of(
                "quarkus.mailer.mock", "false",
                "quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", Integer.toString(greenMail.getSmtp().getPort()),
                "quarkus.mailer.start-tls", "DISABLED",
                "quarkus.mailer.tls", "false",
                "spicegate.mail.from", FROM,
                "spicegate.mail.portal-url", "http://spicegate.test",
                IMAP_PORT, Integer.toString(greenMail.getImap().getPort()));
    }

    @Override
    public void stop() {
        if (greenMail != null) {
            greenMail.stop();
        }
    }
}
