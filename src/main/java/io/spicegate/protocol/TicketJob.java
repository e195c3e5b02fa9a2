package io.spicegate.protocol;

/**
 * Host agents: set this one-time SPICE password on the console's VM. It must be refused for new connections
 * after at most {@code seconds} (the session's time left; the agent's own {@code ticket.seconds} is usually
 * shorter). A secret: never logged.
 */
public record TicketJob(String session, String console, String password, long seconds) {

    @Override
    public String toString() {
        return "TicketJob[" + session + " " + console + "]";
    }
}
