package io.spicegate.protocol;

/** Portal → agent: the secret for {@code Authorization: Bearer}, shown once; and what it was enrolled as. */
public record EnrollResponse(String secret, String name, String mode) {
}
