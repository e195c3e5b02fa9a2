package io.spicegate.users;

import java.util.Set;

/** What a directory (OIDC provider or LDAP server) says about a person at login. */
public record DirectoryIdentity(String source, String username, String displayName, String email, String unixUsername,
                                Set<String> groups) {
}
