package io.spicegate.protocol;

import java.util.List;

/** A protected console destination: an address (IPv4 or IPv6 literal) and its SPICE ports. */
public record Destination(String address, List<Integer> ports) {
}
