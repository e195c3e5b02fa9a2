package io.spicegate.protocol;

/** Host agents: set this one-time SPICE password on the console for {@code seconds} (a secret: never logged). */
public record TicketJob(String session, String console, String password, long seconds) {

    @Override
    public String toString() {
        return "TicketJob[" + session + " " + console + "]";
    }
}
