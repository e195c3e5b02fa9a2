package io.spicegate.testing;

import java.util.Map;
import java.util.function.BiFunction;

/**
 * Two packaged replicas, {@code a} and {@code b}, with their production clock and configuration, on one fresh
 * PostgreSQL database {@code spicegate}, and the first administrator's API on A. Closed in reverse order: the
 * portals (which write what they batch as they stop), then the database.
 */
public final class Replicas implements AutoCloseable {

    public final ExternalPostgres pg;
    public final String db;
    public final PortalProcess a;
    public final PortalProcess b;
    public final Api admin;

    private Replicas(ExternalPostgres pg, String db, PortalProcess a, PortalProcess b) {
        this.pg = pg;
        this.db = db;
        this.a = a;
        this.b = b;
        this.admin = Api.basic(a.base, "admin", "first-admin-pw");
    }

    /**
     * Starts {@code name-a} and {@code name-b} with the environment {@code env} gives for the database (e.g.
     * {@code ExternalPostgres::portalEnv} or {@code ExternalPostgres::portalEnvTwoRoles}) plus {@code extra}.
     */
    public static Replicas start(String name, BiFunction<ExternalPostgres, String, Map<String, String>> env,
                                 Map<String, String> extra) throws Exception {
        ExternalPostgres pg = ExternalPostgres.start();
        PortalProcess a = null;
        try {
            String db = pg.database("spicegate");
            Map<String, String> vars = env.apply(pg, db);
            vars.putAll(extra);
            a = PortalProcess.start(name + "-a", vars);
            PortalProcess b = PortalProcess.start(name + "-b", vars);
            return new Replicas(pg, db, a, b);
        } catch (Exception | Error e) {
            try (ExternalPostgres p = pg; PortalProcess x = a) {
                throw e;
            }
        }
    }

    @Override
    public void close() throws Exception {
        try (ExternalPostgres p = pg; PortalProcess y = b; PortalProcess x = a) {
            // the portals first, then the database
        }
    }
}
