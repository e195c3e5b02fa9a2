package io.spicegate.access;

/** The answer to "may this user use this console now". */
public enum Verdict {
    /** A window or an approved request holds now, and no DENY window does. */
    ALLOWED,
    /** Nothing allows now, but an applicable ALLOW rule has approvers: the user may ask for off-hours access. */
    NEEDS_APPROVAL,
    /** A DENY window holds now, or nothing allows now and nobody can approve. */
    DENIED
}
