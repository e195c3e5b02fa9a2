package io.spicegate.shared;

import jakarta.enterprise.context.RequestScoped;

/**
 * The client address of the current HTTP request (after trusted proxies), for audit rows that do not name one; and,
 * for a call made with a personal API token, which token (audit rows of the call say so).
 */
@RequestScoped
public class RequestSource {

    private String address;
    private String credential;
    private String credentialOf;

    /**
     * How {@code actor} proved who he is, when it is worth a note on the audit rows he causes ("API token #3
     * 'laptop'"); null for anyone else (a row this request writes about another actor, such as an expiry it records).
     */
    public String credential(String actor) {
        return credential != null && credentialOf != null && credentialOf.equals(actor) ? credential : null;
    }

    /** The caller {@code username} came in with {@code credential}. */
    public void credential(String username, String credential) {
        this.credentialOf = username;
        this.credential = credential;
    }

    public String address() {
        return address;
    }

    public void set(String address) {
        this.address = address;
    }
}
