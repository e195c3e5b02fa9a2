package io.spicegate.consoles;

import io.spicegate.audit.AuditLog;
import io.spicegate.enrollment.AgentCredentials;
import io.spicegate.shared.Changes;
import io.spicegate.shared.Problem;
import io.spicegate.shared.Secrets;
import io.spicegate.shared.Validate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Administration of KVM hosts and their consoles. Console passwords are stored, never shown back. */
@ApplicationScoped
public class ConsoleAdmin {

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");

    @Inject Clock clock;
    @Inject AuditLog audit;
    @Inject Event<DestinationsChanged> destinationsChanged;
    @Inject Event<ConsoleDeleting> consoleDeleting;
    @Inject AgentCredentials hostCredentials;

    /** A host as the admin API shows it, with its agent's state; secrets never included. */
    public record HostView(long id, String name, String address, String caPem, boolean enrolled, String agentHostname,
                           java.time.Instant lastSeen, long ticketVersion, Long ackedVersion) {
        static HostView of(KvmHost h) {
            return new HostView(h.id, h.name, h.address, h.caPem, h.hasAgent(), h.agentHostname, h.lastSeenAt,
                    h.ticketVersion, h.ackedVersion);
        }
    }

    /** A created host with the enrollment token of its agent (shown once). */
    public record HostCreated(long id, String name, String address, String caPem, String enrollmentToken) { }

    /** A new enrollment token for a host's agent (shown once). */
    public record HostEnrollment(long id, String name, String enrollmentToken) { }

    /** Body of host create and update. */
    public record HostInput(String name, String address, String caPem) { }

    /** A console as the admin API shows it: the password is never shown, only whether there is one. */
    public record ConsoleView(long id, String name, String host, Integer tlsPort, Integer port, String hostSubject,
                              boolean hasPassword, String description) {
        static ConsoleView of(Console c) {
            return new ConsoleView(c.id, c.name, c.host.name, c.tlsPort, c.port, c.hostSubject,
                    c.password != null && !c.password.isEmpty(), c.description);
        }
    }

    /** What the audit log records of a host: its CA by fingerprint (a PEM is long and public anyway). */
    private record HostAudit(String name, String address, String caPemSha256) {
        static HostAudit of(KvmHost h) {
            return new HostAudit(h.name, h.address, h.caPem == null ? null : Secrets.sha256(h.caPem).substring(0, 16));
        }
    }

    /** What the audit log records of a console; of its password only that it changed, never the password. */
    private record ConsoleAudit(String name, String host, Integer tlsPort, Integer port, String hostSubject,
                                String description) {
        static ConsoleAudit of(Console c) {
            return new ConsoleAudit(c.name, c.host.name, c.tlsPort, c.port, c.hostSubject, c.description);
        }
    }

    /** Body of console create and update. */
    public record ConsoleInput(String name, String host, Integer tlsPort, Integer port, String hostSubject,
                               String password, String description) {
        @Override
        public String toString() {
            return "ConsoleInput[" + name + "]"; // never the password
        }
    }

    @Transactional
    public List<HostView> hosts() {
        return KvmHost.<KvmHost>list("order by name").stream().map(HostView::of).toList();
    }

    @Transactional
    public HostView host(long id) {
        return HostView.of(findHost(id));
    }

    /** Creates a host; the answer carries the one-time enrollment token for its (optional) agent. */
    @Transactional
    public HostCreated createHost(HostInput in, String admin) {
        if (in == null) {
            throw Problem.badRequest("Send {\"name\": \"mysrv\", \"address\": \"10.0.0.2\", \"caPem\": \"-----BEGIN CERTIFICATE-----...\"}.");
        }
        String name = Validate.name(in.name(), "host");
        if (KvmHost.findByName(name).isPresent()) {
            throw Problem.conflict("A host named '" + name + "' exists already: choose another name.");
        }
        KvmHost h = new KvmHost();
        h.name = name;
        h.address = address(in.address());
        h.caPem = ca(in.caPem());
        h.persist();
        audit.append(AuditLog.event("HOST_CREATED").actor(admin).detail(Changes.listing(HostAudit.of(h))), clock.instant());
        bumpAll();
        String token = hostCredentials.newEnrollmentToken(h, admin);
        return new HostCreated(h.id, h.name, h.address, h.caPem, token);
    }

    /**
     * A new enrollment token for the host's agent: the agent enrolled so far is locked out (its consoles keep
     * their static password) until an agent enrolls with the new token.
     */
    @Transactional
    public HostEnrollment reenrollHost(long id, String admin) {
        KvmHost h = findHost(id);
        String token = hostCredentials.newEnrollmentToken(h, admin);
        return new HostEnrollment(h.id, h.name, token);
    }

    @Transactional
    public HostView updateHost(long id, HostInput in, String admin) {
        KvmHost h = findHost(id);
        if (in == null) {
            throw Problem.badRequest("Send the fields to change: name, address, caPem.");
        }
        HostAudit before = HostAudit.of(h);
        if (in.name() != null) {
            String name = Validate.name(in.name(), "host");
            if (!name.equals(h.name) && KvmHost.findByName(name).isPresent()) {
                throw Problem.conflict("A host named '" + name + "' exists already: choose another name.");
            }
            h.name = name;
        }
        if (in.address() != null) {
            h.address = address(in.address());
        }
        if (in.caPem() != null) {
            h.caPem = ca(in.caPem());
        }
        String changed = Changes.between(before, HostAudit.of(h));
        if (!changed.isEmpty()) {
            audit.append(AuditLog.event("HOST_CHANGED").actor(admin).detail(Changes.and("host " + Changes.quoted(h.name), changed)),
                    clock.instant());
        }
        bumpAll();
        return HostView.of(h);
    }

    @Transactional
    public void deleteHost(long id, String admin) {
        KvmHost h = findHost(id);
        long consoles = Console.count("host.id", id);
        if (consoles > 0) {
            throw Problem.conflict("Host " + h.name + " still has " + consoles + " console(s): delete them first.");
        }
        audit.append(AuditLog.event("HOST_DELETED").actor(admin).detail(Changes.listing(HostAudit.of(h))), clock.instant());
        h.delete();
        hostCredentials.signal(h.key()); // every replica forgets its agent's bearer
    }

    @Transactional
    public List<ConsoleView> consoles() {
        return Console.<Console>list("order by name").stream().map(ConsoleView::of).toList();
    }

    @Transactional
    public ConsoleView console(long id) {
        return ConsoleView.of(findConsole(id));
    }

    @Transactional
    public ConsoleView createConsole(ConsoleInput in, String admin) {
        if (in == null) {
            throw Problem.badRequest("Send {\"name\", \"host\", \"tlsPort\" and/or \"port\", \"hostSubject\", \"password\", \"description\"}.");
        }
        String name = Validate.name(in.name(), "console");
        if (Console.findByName(name).isPresent()) {
            throw Problem.conflict("A console named '" + name + "' exists already: choose another name.");
        }
        Console c = new Console();
        c.name = name;
        apply(c, in, true);
        c.persist();
        audit.append(AuditLog.event("CONSOLE_CREATED").actor(admin).console(name)
                .detail(Changes.and(Changes.listing(ConsoleAudit.of(c)), c.password == null ? null : "password: set")), clock.instant());
        bumpAll();
        return ConsoleView.of(c);
    }

    @Transactional
    public ConsoleView updateConsole(long id, ConsoleInput in, String admin) {
        Console c = findConsole(id);
        if (in == null) {
            throw Problem.badRequest("Send the fields to change.");
        }
        ConsoleAudit before = ConsoleAudit.of(c);
        String password = c.password;
        if (in.name() != null) {
            String name = Validate.name(in.name(), "console");
            if (!name.equals(c.name) && Console.findByName(name).isPresent()) {
                throw Problem.conflict("A console named '" + name + "' exists already: choose another name.");
            }
            c.name = name;
        }
        apply(c, in, false);
        changed(c, before, password, admin);
        bumpAll();
        return ConsoleView.of(c);
    }

    /**
     * Replaces a console's settings as the admin form sends them all at once: a port left empty is removed
     * (at least one must remain); the password changes only when one is given (null keeps it).
     */
    @Transactional
    public ConsoleView replaceConsole(long id, ConsoleInput in, String admin) {
        Console c = findConsole(id);
        if (in == null) {
            throw Problem.badRequest("Send the console's settings.");
        }
        ConsoleAudit before = ConsoleAudit.of(c);
        String password = c.password;
        String name = Validate.name(in.name(), "console");
        if (!name.equals(c.name) && Console.findByName(name).isPresent()) {
            throw Problem.conflict("A console named '" + name + "' exists already: choose another name.");
        }
        if (in.tlsPort() == null && in.port() == null) {
            throw Problem.badRequest("Give the console a SPICE port: \"tlsPort\" (recommended) and/or \"port\".");
        }
        c.name = name;
        apply(c, in, false); // validates every given field
        c.tlsPort = in.tlsPort();
        c.port = in.port();
        changed(c, before, password, admin);
        bumpAll();
        return ConsoleView.of(c);
    }

    /** A CONSOLE_CHANGED row saying what changed since {@code before}; none when nothing did. */
    private void changed(Console c, ConsoleAudit before, String password, String admin) {
        String changed = Changes.and(Changes.between(before, ConsoleAudit.of(c)),
                Objects.equals(password, c.password) ? null : c.password == null ? "password: removed" : "password: changed");
        if (!changed.isEmpty()) {
            audit.append(AuditLog.event("CONSOLE_CHANGED").actor(admin).console(c.name).detail(changed), clock.instant());
        }
    }

    @Transactional
    public void deleteConsole(long id, String admin) {
        Console c = findConsole(id);
        consoleDeleting.fire(new ConsoleDeleting(c.id, c.name));
        audit.append(AuditLog.event("CONSOLE_DELETED").actor(admin).console(c.name).detail(Changes.listing(ConsoleAudit.of(c))), clock.instant());
        c.delete();
        bumpAll();
    }

    private void apply(Console c, ConsoleInput in, boolean creating) {
        if (creating || in.host() != null) {
            if (in.host() == null || in.host().isBlank()) {
                throw Problem.badRequest("Name the console's KVM host: \"host\": \"mysrv\".");
            }
            c.host = KvmHost.findByName(in.host().strip()).orElseThrow(() -> Problem.badRequest("There is no host '"
                    + io.spicegate.shared.TimeText.clip(in.host()) + "': create it first (POST /api/v1/admin/hosts)."));
        }
        if (creating || in.tlsPort() != null || in.port() != null) {
            Integer tls = in.tlsPort() != null ? Integer.valueOf(Validate.port(in.tlsPort(), "tlsPort")) : creating ? null : c.tlsPort;
            Integer plain = in.port() != null ? Integer.valueOf(Validate.port(in.port(), "port")) : creating ? null : c.port;
            if (tls == null && plain == null) {
                throw Problem.badRequest("Give the console a SPICE port: \"tlsPort\" (recommended) and/or \"port\".");
            }
            c.tlsPort = tls;
            c.port = plain;
        }
        if (creating || in.hostSubject() != null) {
            c.hostSubject = blankToNull(Validate.text(in.hostSubject(), "hostSubject", 500));
        }
        if (in.password() != null) {
            c.password = blankToNull(Validate.text(in.password(), "password", 200));
        }
        if (creating || in.description() != null) {
            c.description = blankToNull(Validate.text(in.description(), "description", 500));
        }
    }

    /** The protected destinations changed: every agent fetches the new list (host agents: their ports). */
    private void bumpAll() {
        destinationsChanged.fire(new DestinationsChanged());
    }

    private static String address(String raw) {
        if (raw == null || raw.isBlank()) {
            throw Problem.badRequest("Give the host's address: an IP address such as 10.0.0.2 or a DNS name.");
        }
        String a = raw.strip();
        boolean literal = a.contains(":") ? a.matches("[0-9A-Fa-f:.]+") : a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (literal) {
            try {
                io.spicegate.workstations.Cidr.parse(a);
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest(e.getMessage());
            }
        } else if (a.length() > 253 || !HOSTNAME.matcher(a).matches()) {
            throw Problem.badRequest("'" + io.spicegate.shared.TimeText.clip(a) + "' is neither an IP address nor a DNS name.");
        }
        return a;
    }

    private static String ca(String pem) {
        if (pem == null || pem.isBlank()) {
            return null;
        }
        if (pem.length() > 20_000) {
            throw Problem.badRequest("'caPem' is too long: give the one CA certificate that signed the host's SPICE certificate.");
        }
        try {
            CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return pem.strip() + "\n";
        } catch (CertificateException | RuntimeException e) {
            throw Problem.badRequest("'caPem' is not a PEM certificate: paste the CA file, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static KvmHost findHost(long id) {
        KvmHost h = KvmHost.findById(id);
        if (h == null) {
            throw Problem.notFound("There is no host " + id + ".");
        }
        return h;
    }

    private static Console findConsole(long id) {
        Console c = Console.findById(id);
        if (c == null) {
            throw Problem.notFound("There is no console " + id + ".");
        }
        return c;
    }
}
