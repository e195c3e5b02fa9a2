package io.spicegate.workstations;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address block ({@code 10.0.1.0/24}, {@code ::1}). Loopback is one place: any
 * {@code 127.0.0.0/8} block also matches {@code ::1} and the other way round, so a workstation entered as
 * {@code 127.0.0.1} is found whichever loopback family the browser used.
 */
public record Cidr(byte[] network, int prefix) {

    /** Parses an address or block; throws IllegalArgumentException with a sentence a person can act on. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("An address is empty: give an IP address such as 10.0.0.5 or a block such as 10.0.1.0/24.");
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr, text);
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length: use /0 to /" + max + ", e.g. 10.0.1.0/24.");
            }
        }
        return new Cidr(mask(bytes, prefix), prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == network.length) {
            return matchesPrefix(a);
        }
        // loopback in one family matches loopback in the other (::1 and 127.0.0.1 are the same machine); within one
        // family the prefix decides, so a block of 127.0.0.66 does not hold 127.0.0.1
        return address.isLoopbackAddress() && isLoopbackBlock();
    }

    private boolean isLoopbackBlock() {
        try {
            return InetAddress.getByAddress(network).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private boolean matchesPrefix(byte[] a) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int m = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & m) == (network[full] & m);
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            int m = bitsHere == 0 ? 0 : (0xFF << (8 - bitsHere)) & 0xFF;
            out[i] = (byte) (out[i] & m);
        }
        return out;
    }

    /** Accepts only IP literals (never resolves names). */
    private static byte[] literal(String addr, String original) {
        boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = !v4 && addr.contains(":") && addr.matches("[0-9A-Fa-f:.]+");
        if (v4) {
            for (String part : addr.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    v4 = false;
                }
            }
        }
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + original + "' is not an IP address or block: use e.g. 10.0.0.5, 10.0.1.0/24 or fd00::/64.");
        }
        try {
            InetAddress ia = InetAddress.getByName(addr);
            if (v4 != (ia instanceof Inet4Address) && !(ia instanceof Inet6Address)) {
                throw new IllegalArgumentException("'" + original + "' is not an IP address.");
            }
            return ia.getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + original + "' is not an IP address or block: use e.g. 10.0.0.5 or 10.0.1.0/24.");
        }
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return "?";
        }
    }
}
