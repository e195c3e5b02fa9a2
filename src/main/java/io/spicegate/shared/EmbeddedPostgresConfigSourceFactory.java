package io.spicegate.shared;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The embedded default: when no datasource URL is configured, starts a real PostgreSQL (data kept in
 * {@code spicegate.data-dir}) and supplies its URL, its two roles and the audit key (all generated into the data
 * dir) before Quarkus decides whether the datasource is active.
 */
public class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (hasText(context.getValue(URL)) || !isRuntime()) {
            return List.of();
        }
        String dataDir = valueOr(context.getValue("spicegate.data-dir"), "./data");
        boolean fresh = Boolean.parseBoolean(valueOr(context.getValue("spicegate.embedded.fresh"), "false"));
        EmbeddedDatabase db = EmbeddedDatabase.start(Path.of(dataDir), fresh);
        Map<String, String> values = Map.of(
                URL, db.jdbcUrl(),
                // two roles: the owner migrates, the portal runs as a role that owns nothing
                "quarkus.flyway.username", EmbeddedDatabase.OWNER,
                "quarkus.flyway.password", db.secrets().ownerPassword(),
                "quarkus.datasource.username", EmbeddedDatabase.RUNTIME,
                "quarkus.datasource.password", db.secrets().runtimePassword(),
                // kept in the data dir (0600); SPICEGATE_AUDIT_KEY, if set, still wins
                "spicegate.audit.key", db.secrets().auditKey(),
                "spicegate.embedded.active", "true",
                // the embedded default shows the seed's demo office (SPICEGATE_DEMO=false still wins)
                "spicegate.demo", "true");
        return List.of(new PropertiesConfigSource(values, "spicegate-embedded-postgres", 275));
    }

    /** Quarkus also reads configuration while building the application; only a running portal needs a database. */
    private static boolean isRuntime() {
        for (StackTraceElement frame : Thread.currentThread().getStackTrace()) {
            if (frame.getClassName().startsWith("io.quarkus.deployment.")) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasText(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }

    private static String valueOr(ConfigValue value, String fallback) {
        return hasText(value) ? value.getValue() : fallback;
    }
}
