package io.spicegate.shared;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Connections of their own, outside the pool, as the portal's runtime role: for a session that lives as long as the
 * process (a LISTEN, a session-level advisory lock), which would otherwise hold a pooled connection forever.
 */
@ApplicationScoped
public class DedicatedConnections {

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    Optional<String> url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    public Connection open() throws SQLException {
        return DriverManager.getConnection(url.orElseThrow(), username.orElse(null), password.orElse(null));
    }
}
