package io.spicegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Query plans, for tests that prove a query the services build uses its index: EXPLAIN and the plan's scans. */
public final class Plans {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Plans() {
    }

    /**
     * {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)} of {@code sql} (with {@code ?} placeholders) and its parameters
     * bound as the services bind them (an {@link Instant} as a timestamp): the plan's root object.
     */
    public static JsonNode explain(String sql, List<?> parameters) throws SQLException, IOException {
        try (Connection c = Db.connection();
             PreparedStatement ps = c.prepareStatement("explain (analyze, buffers, format json) " + sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                Object p = parameters.get(i);
                ps.setObject(i + 1, p instanceof Instant t ? Timestamp.from(t) : p);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return JSON.readTree(rs.getString(1)).get(0);
            }
        }
    }

    /** Every scan of the plan, as "Index Scan Backward using console_session_log on console_session", depth first. */
    public static List<String> scans(JsonNode plan) {
        List<String> out = new ArrayList<>();
        collect(plan.get("Plan"), out);
        return out;
    }

    private static void collect(JsonNode node, List<String> out) {
        String type = node.get("Node Type").asText();
        if (type.contains("Scan")) {
            String direction = node.has("Scan Direction") && "Backward".equals(node.get("Scan Direction").asText()) ? " Backward" : "";
            String index = node.has("Index Name") ? " using " + node.get("Index Name").asText() : "";
            String relation = node.has("Relation Name") ? " on " + node.get("Relation Name").asText() : "";
            out.add(type + direction + index + relation);
        }
        if (node.has("Plans")) {
            for (JsonNode child : node.get("Plans")) {
                collect(child, out);
            }
        }
    }
}
