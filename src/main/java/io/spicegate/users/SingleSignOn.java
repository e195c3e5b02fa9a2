package io.spicegate.users;

import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * OIDC single sign-on as the portal sees it: the quarkus-oidc extension runs the authorization code flow (PKCE,
 * state, nonce, JWKS, RP-initiated logout; see application.properties); this bean says whether it is configured
 * (Quarkus' own QUARKUS_OIDC_AUTH_SERVER_URL, _CLIENT_ID, _CREDENTIALS_SECRET, all three) and maps a verified ID
 * token to a {@link DirectoryIdentity}.
 */
@ApplicationScoped
public class SingleSignOn {

    /** Where the login page's button leads: quarkus-oidc guards it, the provider's form comes first. */
    public static final String SIGN_IN = "/login/oidc/signin";
    /** quarkus.oidc.logout.path: RP-initiated logout at the provider. */
    public static final String LOGOUT = "/logout/sso";

    @Inject SpicegateConfig config;

    public boolean enabled() {
        return setting("quarkus.oidc.auth-server-url").isPresent() && setting("quarkus.oidc.client-id").isPresent()
                && setting("quarkus.oidc.credentials.secret").isPresent();
    }

    /** The name on the login button: spicegate.oidc.provider-name, else the provider's host. */
    public String providerName() {
        return config.oidc().providerName().filter(n -> !n.isBlank())
                .orElseGet(() -> URI.create(setting("quarkus.oidc.auth-server-url").orElse("http://provider/")).getHost());
    }

    /** What the verified ID token says about the person (claims named by spicegate.*-claim). */
    public DirectoryIdentity identity(JsonWebToken idToken) {
        return new DirectoryIdentity("oidc", string(idToken, "preferred_username"), string(idToken, "name"),
                string(idToken, "email"), string(idToken, config.unixUsernameClaim()),
                strings(idToken.getClaim(config.groupsClaim())));
    }

    private static Optional<String> setting(String name) {
        return ConfigProvider.getConfig().getOptionalValue(name, String.class).filter(v -> !v.isBlank());
    }

    private static String string(JsonWebToken token, String claim) {
        Object v = token.getClaim(claim);
        String s = v instanceof JsonString js ? js.getString() : v instanceof String str ? str : null;
        return s == null || s.isBlank() ? null : s;
    }

    /** A groups claim as names: a JSON array (or set) of strings, or one string; anything else is no group. */
    static Set<String> strings(Object v) {
        Set<String> out = new LinkedHashSet<>();
        if (v instanceof Collection<?> list) {
            for (Object o : list) {
                if (o instanceof JsonString js) {
                    out.add(js.getString());
                } else if (o instanceof String s) {
                    out.add(s);
                }
            }
        } else if (v instanceof JsonString js) {
            out.add(js.getString());
        } else if (v instanceof String s && !(v instanceof JsonValue)) {
            out.add(s);
        }
        return out;
    }
}
