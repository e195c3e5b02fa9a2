package io.spicegate.shared;

import jakarta.enterprise.context.RequestScoped;

/** The client address of the current HTTP request (after trusted proxies), for audit rows that do not name one. */
@RequestScoped
public class RequestSource {

    private String address;

    public String address() {
        return address;
    }

    public void set(String address) {
        this.address = address;
    }
}
