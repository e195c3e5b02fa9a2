package io.spicegate.shared;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Typed view of the {@code spicegate.*} settings (each overridable by an environment variable). */
@ConfigMapping(prefix = "spicegate")
public interface SpicegateConfig {

    /** Load the seed's demo office on first start. */
    @WithDefault("false")
    boolean demo();

    /** With no demo data: the password of the first account {@code admin}, created on first start. */
    Optional<String> adminPassword();

    /** Where the embedded default keeps its PostgreSQL data. */
    @WithDefault("./data")
    String dataDir();

    Embedded embedded();

    Audit audit();

    /** The audit log. */
    interface Audit {
        /**
         * The audit chain's HMAC-SHA-256 key (SPICEGATE_AUDIT_KEY, at least 32 characters), kept outside the database;
         * required with an external database, generated into the data dir by the embedded default.
         */
        Optional<String> key();

        /**
         * An audit row left unsealed longer than this many seconds is an alarm: the verifier says so (not ok) and
         * names what to check. The sealer links rows within milliseconds while any replica runs.
         */
        @WithDefault("10")
        int sealAlarmSeconds();
    }

    /** The office's time zone, for times on pages that are not tied to a rule. */
    @WithDefault("Europe/Berlin")
    String displayZone();

    Session session();

    Login login();

    Console console();

    Agent agent();

    Requests requests();

    Mail mail();

    /** Off-hours requests. */
    interface Requests {
        /** Longest request when no ALLOW rule with approvers sets max minutes. */
        @WithDefault("480")
        int maxMinutes();

        /** A request nobody decides expires after this many hours. */
        @WithDefault("24")
        int pendingHours();
    }

    /**
     * E-mail about requests. Off while {@code from} is unset; the SMTP server is Quarkus' own
     * {@code quarkus.mailer.*} (QUARKUS_MAILER_HOST, _PORT, _USERNAME, _PASSWORD, _TLS, _START_TLS).
     */
    interface Mail {
        /** The sender address, e.g. spicegate@office.example; unset = no e-mail. */
        Optional<String> from();

        /** The portal's address for links in e-mails, e.g. https://spicegate.office.example. */
        Optional<String> portalUrl();
    }

    /** Claim (OIDC) holding the user's groups; each becomes a directory-sourced portal group. */
    @WithDefault("groups")
    String groupsClaim();

    /** Claim (OIDC) holding the Unix username on the workstations. */
    @WithDefault("preferred_username")
    String unixUsernameClaim();

    /** Directory group whose members are portal admins (OIDC and LDAP); unset: roles are set by admins here. */
    Optional<String> adminGroup();

    /** Directory group whose members are approvers (OIDC and LDAP); unset: roles are set by admins here. */
    Optional<String> approverGroup();

    Oidc oidc();

    Ldap ldap();

    /** OIDC login; the provider itself is set with Quarkus' names (quarkus.oidc.auth-server-url, client-id, credentials.secret). */
    interface Oidc {
        /** The name on the "Log in with ..." button; default: the provider's host name. */
        Optional<String> providerName();
    }

    /** LDAP login, on when {@code url} is set. */
    interface Ldap {
        /** ldap://host:389 or ldaps://host:636 */
        Optional<String> url();

        /** The service account that searches users and groups. */
        Optional<String> bindDn();

        Optional<String> bindPassword();

        /** Where users are searched (subtree) by {@code uid}. */
        Optional<String> userBase();

        /** Where groupOfNames entries are searched (subtree) by {@code member}. */
        Optional<String> groupBase();

        /** Attribute holding the Unix username. */
        @WithDefault("uid")
        String unixUsernameAttribute();

        /** A decision re-reads an LDAP user's groups when they were read longer ago than this (0: at every decision). */
        @WithDefault("60")
        int groupCacheSeconds();
    }

    /** Personal API tokens (issue 18). */
    Token token();

    /** Personal API tokens: how long one may live, how many live ones a user may hold. */
    interface Token {
        /** The longest expiry a token may be given, in days ({@code SPICEGATE_TOKEN_MAX_DAYS}). */
        @WithDefault("90")
        int maxDays();

        /** How many unexpired, unrevoked tokens one user may hold at once. */
        @WithDefault("20")
        int maxLive();
    }

    /** Client and host agents. */
    interface Agent {
        /** Without a successful poll for this long an agent drops every grant. */
        @WithDefault("90")
        int leaseSeconds();

        /**
         * The longest a long-poll is held when nothing changes. An agent says how long it waits ({@code wait=}, its
         * {@code poll.timeout.seconds} less 10 s: 60 s by default) and is held that long at most; an agent that does
         * not say (released before it could) is held {@link #LEGACY_POLL_SECONDS}, as it gives up after 35 s.
         * Proxies in between must allow longer (the ingress in {@code k8s/} allows 75 s), and it must stay well
         * under {@link #leaseSeconds()}, or an idle agent drops its grants between two answers.
         */
        @WithDefault("60")
        int pollSeconds();

        /** How long the poll of an agent that does not say how long it waits is held (agents before 0.2 wait 35 s). */
        int LEGACY_POLL_SECONDS = 30;

        /**
         * How often each replica writes the agents it heard from to {@code last_seen_at}, in one statement per kind:
         * "last seen" in the database is up to this much older than the agent's last call.
         */
        @WithDefault("60")
        int lastSeenFlushSeconds();

        /** How long Open console waits for the agent's ack before saying so. */
        @WithDefault("10")
        int ackTimeoutSeconds();

        /** How long a one-time SPICE password is kept for its launch file; after that the user opens again. */
        @WithDefault("600")
        int ticketKeepSeconds();

        /** How long an enrollment token stays valid. */
        @WithDefault("24")
        int enrollmentHours();

        /**
         * Failed enrollments one source address may make per window before it is answered 429 (per replica). A
         * valid token still enrolls.
         */
        @WithDefault("10")
        int enrollFailureLimit();

        /** The window of {@link #enrollFailureLimit()}; its failures are audited in one summary row when it closes. */
        @WithDefault("60")
        int enrollFailureWindowSeconds();
    }

    /** The embedded PostgreSQL (set by {@link EmbeddedPostgresConfigSourceFactory}). */
    interface Embedded {
        /** Whether this portal runs on its own embedded PostgreSQL. */
        @WithDefault("false")
        boolean active();

        /** Start from an empty database (tests). */
        @WithDefault("false")
        boolean fresh();
    }

    /** Login sessions. */
    interface Session {
        /** A login session ends after this many minutes without a request. */
        @WithDefault("480")
        int idleMinutes();

        /** Mark the cookie Secure (behind TLS). */
        @WithDefault("false")
        boolean cookieSecure();
    }

    /** Login throttling. */
    interface Login {
        @WithDefault("5")
        int maxFailures();

        @WithDefault("5")
        int lockoutMinutes();
    }

    /** Console sessions. */
    interface Console {
        /** Longest session when no rule sets max minutes. */
        @WithDefault("480")
        int defaultMaxMinutes();

        /**
         * How many rules My consoles keeps compiled in memory on one replica, over all users (a few hundred bytes each);
         * past it the least recently used users' rule sets are dropped and read again when asked.
         */
        @WithDefault("200000")
        int ruleCacheMaxRules();
    }
}
