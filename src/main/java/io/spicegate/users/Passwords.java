package io.spicegate.users;

import io.quarkus.elytron.security.common.BcryptUtil;
import org.wildfly.security.password.Password;
import org.wildfly.security.password.PasswordFactory;
import org.wildfly.security.password.WildFlyElytronPasswordProvider;
import org.wildfly.security.password.interfaces.BCryptPassword;
import org.wildfly.security.password.util.ModularCrypt;

import java.security.GeneralSecurityException;
import java.security.Provider;

/** bcrypt hashing and verification of account passwords. */
public final class Passwords {

    private static final Provider PROVIDER = new WildFlyElytronPasswordProvider();
    /** A valid hash of a random string: verifying against it costs the same as a real check (no user enumeration by timing). */
    private static final String DUMMY = BcryptUtil.bcryptHash("spicegate-no-such-user-" + System.nanoTime(), 10);

    private Passwords() {
    }

    public static String hash(String password) {
        return BcryptUtil.bcryptHash(password, 10);
    }

    public static boolean matches(String password, String hash) {
        String h = hash == null ? DUMMY : hash;
        try {
            Password raw = ModularCrypt.decode(h);
            PasswordFactory factory = PasswordFactory.getInstance(BCryptPassword.ALGORITHM_BCRYPT, PROVIDER);
            Password restored = factory.translate(raw);
            return factory.verify(restored, password.toCharArray()) && hash != null;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Rules for a new password; returns the problem in a sentence, or null if the password is fine. */
    public static String weakness(String password) {
        if (password == null || password.length() < 8) {
            return "Choose a password of at least 8 characters.";
        }
        if (password.length() > 200) {
            return "Choose a password of at most 200 characters.";
        }
        if (password.chars().anyMatch(c -> c < 0x20)) {
            return "A password cannot contain control characters.";
        }
        return null;
    }
}
