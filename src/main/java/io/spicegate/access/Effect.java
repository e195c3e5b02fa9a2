package io.spicegate.access;

/** What a rule does while one of its windows holds: a DENY window beats every ALLOW. */
public enum Effect {
    ALLOW,
    DENY
}
