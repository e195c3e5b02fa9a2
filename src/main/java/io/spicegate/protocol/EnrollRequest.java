package io.spicegate.protocol;

/** Agent → portal, once: trade the one-time enrollment token for a long-lived secret. */
public record EnrollRequest(String token, String hostname) {
}
