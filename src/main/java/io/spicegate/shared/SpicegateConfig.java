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

    /** The office's time zone, for times on pages that are not tied to a rule. */
    @WithDefault("Europe/Berlin")
    String displayZone();

    Session session();

    Login login();

    Console console();

    Agent agent();

    /** Client and host agents. */
    interface Agent {
        /** Without a successful poll for this long an agent drops every grant. */
        @WithDefault("90")
        int leaseSeconds();

        /** How long a long-poll is held when nothing changes. */
        @WithDefault("30")
        int pollSeconds();

        /** How long Open console waits for the agent's ack before saying so. */
        @WithDefault("10")
        int ackTimeoutSeconds();

        /** How long a one-time SPICE password is kept for its launch file; after that the user opens again. */
        @WithDefault("600")
        int ticketKeepSeconds();

        /** How long an enrollment token stays valid. */
        @WithDefault("24")
        int enrollmentHours();
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
    }
}
