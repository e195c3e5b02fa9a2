package io.spicegate.shared;

import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Warns at start when the portal's runtime role could rewrite the audit: it owns the schema (one role for migrations
 * and runtime) or is a superuser. It still works; README "Database roles" says how to split the roles.
 */
@ApplicationScoped
public class DatabaseRoles {

    static final String WARNING = "The portal connects to PostgreSQL as role '%s', which %s: it could change or delete "
            + "audit rows. Give it a role of its own that owns nothing (QUARKUS_DATASOURCE_USERNAME) and let the owner run "
            + "the migrations (QUARKUS_FLYWAY_USERNAME, QUARKUS_FLYWAY_PASSWORD); see README \"Database roles\".";

    @Inject AgroalDataSource dataSource;

    void check(@Observes StartupEvent e) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select current_user, (select rolsuper from pg_roles where rolname = current_user), "
                     + "(select tableowner = current_user from pg_tables where tablename = 'audit_event' "
                     + "and schemaname = current_schema())")) {
            rs.next();
            String role = rs.getString(1);
            if (rs.getBoolean(2)) {
                Log.warnf(WARNING, role, "is a superuser");
            } else if (rs.getBoolean(3)) {
                Log.warnf(WARNING, role, "owns the schema (one role for migrations and runtime)");
            }
        } catch (SQLException ex) {
            Log.warnf("Could not check the database role's privileges: %s", ex.getMessage());
        }
    }
}
