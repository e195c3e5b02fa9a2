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

    /** bcrypt reads only this many bytes of a password (UTF-8): a longer one is refused, never cut. */
    public static final int MAX_BYTES = 72;

    public static String hash(String password) {
        return BcryptUtil.bcryptHash(password, 10);
    }

    /** True when the password is longer than bcrypt can tell apart ({@value #MAX_BYTES} bytes in UTF-8). */
    public static boolean tooLong(String password) {
        return password != null && password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES;
    }

    /** Never true for a password longer than {@value #MAX_BYTES} bytes: bcrypt would compare only its start. */
    public static boolean matches(String password, String hash) {
        if (password == null || tooLong(password)) {
            return false;
        }
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
        if (tooLong(password)) {
            return "Choose a password of at most " + MAX_BYTES + " bytes: 72 letters, digits or ASCII signs, fewer with "
                    + "accented letters or other non-ASCII characters (they take 2 to 4 bytes each).";
        }
        if (password.chars().anyMatch(c -> c < 0x20)) {
            return "A password cannot contain control characters.";
        }
        return null;
    }
}
