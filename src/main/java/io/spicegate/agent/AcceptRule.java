package io.spicegate.agent;

import java.util.List;

/** One live grant resolved to a local UID: {@code uid} may reach {@code address} on {@code ports}. */
public record AcceptRule(String session, String user, int uid, String address, List<Integer> ports) {
}
