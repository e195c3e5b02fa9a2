package io.spicegate.audit;

import io.quarkus.runtime.StartupEvent;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The audit chain's key, {@code SPICEGATE_AUDIT_KEY}: without it nobody can recompute a row's link, even with write
 * access to the table. The portal refuses to start without one (replicas must share it, so none may make up its
 * own). The key itself is never logged, audited or answered.
 */
@ApplicationScoped
public class AuditKey {

    static final int MIN_LENGTH = 32;

    @Inject SpicegateConfig config;

    private volatile SecretKeySpec key;

    void check(@Observes StartupEvent e) {
        key();
    }

    /** HMAC-SHA-256 of the text with the key, as hex. */
    String mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            String text = config.audit().key().map(String::strip).orElse("");
            if (text.length() < MIN_LENGTH) {
                throw new IllegalStateException((text.isEmpty() ? "SPICEGATE_AUDIT_KEY is not set" : "SPICEGATE_AUDIT_KEY is too short")
                        + ": the audit chain is keyed with it (HMAC-SHA-256). Set it to at least " + MIN_LENGTH
                        + " random characters, the same on every replica, kept outside the database "
                        + "(e.g. `openssl rand -base64 32`; README \"Configuration\").");
            }
            k = new SecretKeySpec(text.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
            key = k;
        }
        return k;
    }

    @Override
    public String toString() {
        return "AuditKey[hidden]";
    }
}
