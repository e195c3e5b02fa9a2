package io.spicegate.users;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;

/**
 * Switches quarkus-oidc's default tenant on only when QUARKUS_OIDC_AUTH_SERVER_URL, _CLIENT_ID and
 * _CREDENTIALS_SECRET are all set: unset, the portal starts without them and the extension stays out of the way.
 * A low ordinal, so an explicit QUARKUS_OIDC_TENANT_ENABLED still wins.
 */
public class OidcSwitch implements ConfigSourceFactory {

    static final List<String> REQUIRED = List.of("quarkus.oidc.auth-server-url", "quarkus.oidc.client-id",
            "quarkus.oidc.credentials.secret");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        boolean on = REQUIRED.stream().allMatch(name -> {
            ConfigValue v = context.getValue(name);
            return v != null && v.getValue() != null && !v.getValue().isBlank();
        });
        // off, the guarded paths are plain portal routes (404 with a sentence and the hardening headers), not a 401
        return List.of(new PropertiesConfigSource(Map.of("quarkus.oidc.tenant-enabled", Boolean.toString(on),
                "quarkus.http.auth.permission.sso.enabled", Boolean.toString(on)), "spicegate-oidc-switch", 50));
    }
}
