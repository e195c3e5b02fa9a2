package io.spicegate.access;

import java.util.Objects;

/** Who a rule applies to: exactly one of user or group is non-null. */
public record Subject(String user, String group) {

    public Subject {
        if ((user == null) == (group == null)) {
            throw new IllegalArgumentException("a subject is either a user or a group, not both and not neither");
        }
        if ((user != null && user.isBlank()) || (group != null && group.isBlank())) {
            throw new IllegalArgumentException("a subject needs a non-blank user or group name");
        }
    }

    public static Subject user(String user) {
        return new Subject(Objects.requireNonNull(user, "user"), null);
    }

    public static Subject group(String group) {
        return new Subject(null, Objects.requireNonNull(group, "group"));
    }

    /** A user subject matches that username; a group subject matches every current member of the group. */
    public boolean matches(Requester who) {
        return user != null ? user.equals(who.username()) : who.groups().contains(group);
    }
}
