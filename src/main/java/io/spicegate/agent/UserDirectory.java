package io.spicegate.agent;

import java.io.IOException;
import java.util.List;
import java.util.OptionalInt;

/** Finds the UID of a local Unix user (host-wide, also when the firewall lives in a test namespace). */
@FunctionalInterface
public interface UserDirectory {

    /** The UID of {@code user}, or empty when there is no such user. */
    OptionalInt uid(String user) throws IOException;

    /** Asks the system's name service with {@code getent passwd}, so LDAP/SSSD users resolve too. */
    static UserDirectory getent(CommandRunner runner) {
        return user -> {
            if (user == null || user.isEmpty() || user.startsWith("-") || user.chars().anyMatch(c -> c <= ' ' || c == ':')) {
                return OptionalInt.empty();
            }
            CommandRunner.Result result = runner.run(List.of("getent", "passwd", user), null);
            if (result.exitCode() == 2) {
                return OptionalInt.empty();
            }
            if (!result.ok()) {
                throw new IOException("getent passwd failed: " + result.firstErrorLine());
            }
            String[] fields = result.stdout().strip().lines().findFirst().orElse("").split(":");
            if (fields.length < 3 || !fields[0].equals(user)) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(Integer.parseInt(fields[2]));
        };
    }
}
