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

    /** How the caller proved who he is when it is worth a note in the audit ("API token #3 'laptop'"); else null. */
    public String credential() {
        return credential;
    }

    public void credential(String credential) {
        this.credential = credential;
    }

    public String address() {
        return address;
    }

    public void set(String address) {
        this.address = address;
    }
}
