package io.spicegate.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IP family and its iptables tools: IPv4 destinations go to iptables, IPv6 to ip6tables. */
public enum Family {
    V4("iptables", "iptables-restore", 32),
    V6("ip6tables", "ip6tables-restore", 128);

    private static final Pattern V4_ADDRESS = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern V6_ADDRESS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final String tables;
    private final String restore;
    private final int hostBits;

    Family(String tables, String restore, int hostBits) {
        this.tables = tables;
        this.restore = restore;
        this.hostBits = hostBits;
    }

    /** The listing/editing tool, e.g. {@code iptables}. */
    public String tables() {
        return tables;
    }

    /** The atomic loader, e.g. {@code iptables-restore}. */
    public String restore() {
        return restore;
    }

    /**
     * The family of an address literal or CIDR ({@code 10.0.0.5}, {@code 10.0.0.0/24}, {@code fd00::1}).
     * Anything else is refused: it ends up inside a restore script, so nothing but an address may pass.
     */
    public static Family of(String address) {
        return parse(address).family;
    }

    /** The address as an iptables {@code -d} argument: a single address gets its host prefix ({@code /32}, {@code /128}). */
    public static String destination(String address) {
        Parsed parsed = parse(address);
        return parsed.address + "/" + (parsed.prefix < 0 ? parsed.family.hostBits : parsed.prefix);
    }

    /** An address split into family, address and prefix length (-1 when none was given). */
    private record Parsed(Family family, String address, int prefix) {
    }

    private static Parsed parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no address");
        }
        String address = text;
        int prefix = -1;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            address = text.substring(0, slash);
            String bits = text.substring(slash + 1);
            if (!bits.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("not an IP address or network: " + printable(text));
            }
            prefix = Integer.parseInt(bits);
        }
        var v4 = V4_ADDRESS.matcher(address);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    throw new IllegalArgumentException("not an IPv4 address: " + printable(text));
                }
            }
            if (prefix > 32) {
                throw new IllegalArgumentException("IPv4 prefix longer than 32: " + printable(text));
            }
            return new Parsed(V4, address, prefix);
        }
        if (V6_ADDRESS.matcher(address).matches() && address.length() <= 45) {
            try {
                InetAddress.getByName(address); // a literal with a colon: parsed, never looked up
            } catch (UnknownHostException | SecurityException e) {
                throw new IllegalArgumentException("not an IPv6 address: " + printable(text));
            }
            if (prefix > 128) {
                throw new IllegalArgumentException("IPv6 prefix longer than 128: " + printable(text));
            }
            return new Parsed(V6, address, prefix);
        }
        throw new IllegalArgumentException("not an IP address: " + printable(text));
    }

    /** Shows bad input in a message without letting it break the log line. */
    private static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return "'" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
