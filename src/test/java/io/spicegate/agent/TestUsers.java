package io.spicegate.agent;

import java.util.ArrayList;
import java.util.List;

/** Real local Unix users (and groups) for the tests, without home or shell; removed on close (also CliIT's). */
public final class TestUsers implements AutoCloseable {

    /** A created user with its UID and primary GID. */
    public record User(String name, int uid, int gid) {
    }

    private final List<String> users = new ArrayList<>();
    private final List<String> groups = new ArrayList<>();

    /** Creates {@code name} with {@code useradd -M -s /usr/sbin/nologin}. */
    public User create(String name) {
        Sh.requireRoot("useradd", "userdel", "getent");
        Sh.run("useradd", "-M", "-s", "/usr/sbin/nologin", name);
        users.add(name);
        String[] fields = Sh.run("getent", "passwd", name).strip().split(":");
        return new User(name, Integer.parseInt(fields[2]), Integer.parseInt(fields[3]));
    }

    /** Creates a system group {@code name}. */
    public String group(String name) {
        Sh.run("groupadd", name);
        groups.add(name);
        return name;
    }

    @Override
    public void close() {
        users.forEach(u -> Sh.tryRun("userdel", u));
        groups.forEach(g -> Sh.tryRun("groupdel", g));
    }
}
