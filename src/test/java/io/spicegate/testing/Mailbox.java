package io.spicegate.testing;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;

/** Reads a person's mail from the test's SMTP server over IMAP, as a mail program would. */
public final class Mailbox {

    /** One received e-mail. */
    public record Letter(String from, List<String> to, String subject, String text) { }

    private Mailbox() {
    }

    /** Everything delivered to {@code address} so far. */
    public static List<Letter> of(String address) {
        int port = ConfigProvider.getConfig().getValue(SmtpServer.IMAP_PORT, Integer.class);
        Properties props = new Properties();
        props.put("mail.imap.connectiontimeout", "5000");
        props.put("mail.imap.timeout", "5000");
        try {
            Store store = Session.getInstance(props).getStore("imap");
            store.connect("127.0.0.1", port, address, "any");
            try {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                List<Letter> letters = new ArrayList<>();
                for (Message m : inbox.getMessages()) {
                    letters.add(new Letter(Arrays.toString(m.getFrom()),
                            Arrays.stream(m.getAllRecipients()).map(Object::toString).toList(),
                            m.getSubject(), text(m)));
                }
                inbox.close(false);
                return letters;
            } finally {
                store.close();
            }
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("could not read the mail of " + address + ": " + e, e);
        }
    }

    /** Waits (up to 15 s) for a letter to {@code address} that matches; fails the test with what arrived otherwise. */
    public static Letter await(String address, Predicate<Letter> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<Letter> seen = List.of();
        while (System.nanoTime() < deadline) {
            seen = of(address);
            for (Letter l : seen) {
                if (wanted.test(l)) {
                    return l;
                }
            }
            sleep();
        }
        throw new AssertionError("no matching e-mail to " + address + " within 15 s; it has " + seen);
    }

    private static String text(Message m) throws MessagingException, IOException {
        Object content = m.getContent();
        return content instanceof String s ? s : String.valueOf(content);
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
