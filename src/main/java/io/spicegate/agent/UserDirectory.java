package io.spicegate.agent;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Finds the UID of a local Unix user (host-wide, also when the firewall lives in a test namespace). */
@FunctionalInterface
public interface UserDirectory {

    /** A local account as the name service knows it: what a process needs to run as that user. */
    record Account(String name, int uid, int gid, String home) {
    }

    /** The UID of {@code user}, or empty when there is no such user. */
    OptionalInt uid(String user) throws IOException;

    /** Asks the system's name service with {@code getent passwd}, so LDAP/SSSD users resolve too. */
    static UserDirectory getent(CommandRunner runner) {
        return user -> account(runner, user).map(a -> OptionalInt.of(a.uid())).orElse(OptionalInt.empty());
    }

    /** The account of {@code user} from {@code getent passwd}, or empty when there is no such user. */
    static Optional<Account> account(CommandRunner runner, String user) throws IOException {
        if (user == null || user.isEmpty() || user.startsWith("-") || user.chars().anyMatch(c -> c <= ' ' || c == ':')) {
            return Optional.empty();
        }
        CommandRunner.Result result = runner.run(List.of("getent", "passwd", user), null);
        if (result.exitCode() == 2) {
            return Optional.empty();
        }
        if (!result.ok()) {
            throw new IOException("getent passwd failed: " + result.firstErrorLine());
        }
        String[] fields = result.stdout().strip().lines().findFirst().orElse("").split(":", -1);
        if (fields.length < 4 || !fields[0].equals(user)) {
            return Optional.empty();
        }
        return Optional.of(new Account(user, Integer.parseInt(fields[2]), Integer.parseInt(fields[3]),
                fields.length > 5 && fields[5].startsWith("/") ? fields[5] : "/"));
    }
}
