package io.spicegate.users;

import io.spicegate.workstations.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The address a request came from: the one rule for Open console, the {@code .vv}, the login audit and the lockout.
 * Directly, the TCP peer. Behind a reverse proxy (README's {@code QUARKUS_HTTP_PROXY_*} settings), the rightmost
 * hop of {@code X-Forwarded-For} (or {@code Forwarded}) that is not a trusted proxy: every proxy appends the address
 * it was reached from, so only the entries right of the first untrusted one were written by proxies we trust, and
 * whatever a client sends itself stays on the left. Quarkus' own forwarding takes the leftmost entry, so the peer
 * is read from the connection, never from {@code request.remoteAddress()}.
 */
public final class SourceAddress {

    /** Where no address can be told (no peer, or a trusted proxy handed on an entry that is not an address). */
    public static final String UNKNOWN = "unknown";

    private static volatile Proxies proxies;

    private SourceAddress() {
    }

    public static String of(HttpServerRequest request) {
        SocketAddress peerSocket = request.connection() != null ? request.connection().remoteAddress() : null;
        Optional<InetAddress> peer = peerSocket == null || peerSocket.hostAddress() == null
                ? Optional.empty() : hop(peerSocket.hostAddress());
        if (peer.isEmpty()) {
            return UNKNOWN;
        }
        Proxies p = proxies();
        // with no list of trusted proxies, the direct peer (and only it) is taken for the proxy
        if (!p.active() || !(p.trusted().isEmpty() || p.trusts(peer.get()))) {
            return text(peer.get());
        }
        List<String> hops = p.hops(request);
        InetAddress current = peer.get();
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> next = hop(hops.get(i));
            if (next.isEmpty()) {
                return UNKNOWN; // a trusted proxy never writes this: fail closed rather than guess
            }
            current = next.get();
            if (!p.trusts(current)) {
                break; // the rightmost hop that is not a trusted proxy: the client
            }
        }
        return text(current);
    }

    /** One hop as proxies write it: {@code 10.0.0.5}, {@code 10.0.0.5:4711}, {@code [fd00::5]:4711}, {@code "[::1]"}. */
    static Optional<InetAddress> hop(String entry) {
        String e = entry.strip();
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            if (close < 0 || close + 1 < e.length() && !e.substring(close + 1).matches(":\\d{1,5}")) {
                return Optional.empty();
            }
            e = e.substring(1, close);
        } else if (e.indexOf(':') > 0 && e.indexOf(':') == e.lastIndexOf(':')) {
            e = e.substring(0, e.indexOf(':')); // IPv4 with a port
        }
        int zone = e.indexOf('%');
        if (zone >= 0) {
            e = e.substring(0, zone);
        }
        if (e.isEmpty() || e.contains("/")) {
            return Optional.empty();
        }
        try {
            Cidr one = Cidr.parse(e); // IP literals only: never resolves a name
            return Optional.of(InetAddress.getByAddress(one.network()));
        } catch (IllegalArgumentException | UnknownHostException x) {
            return Optional.empty();
        }
    }

    private static String text(InetAddress a) {
        return a.getHostAddress();
    }

    private static Proxies proxies() {
        Config c = ConfigProvider.getConfig();
        boolean forwarding = c.getOptionalValue("quarkus.http.proxy.proxy-address-forwarding", Boolean.class).orElse(false);
        boolean xForwarded = c.getOptionalValue("quarkus.http.proxy.allow-x-forwarded", Boolean.class).orElse(false);
        boolean forwarded = c.getOptionalValue("quarkus.http.proxy.allow-forwarded", Boolean.class).orElse(false);
        String trusted = c.getOptionalValue("quarkus.http.proxy.trusted-proxies", String.class).orElse("");
        Proxies p = proxies;
        if (p == null || p.forwarding != forwarding || p.xForwarded != xForwarded || p.forwarded != forwarded
                || !p.trustedText.equals(trusted)) {
            p = new Proxies(forwarding, xForwarded, forwarded, trusted, parse(trusted));
            proxies = p;
        }
        return p;
    }

    /** IP addresses and blocks; a host name is resolved once. No list: only the direct peer is trusted. */
    private static List<Cidr> parse(String trusted) {
        List<Cidr> out = new ArrayList<>();
        for (String raw : trusted.split(",")) {
            String t = raw.strip();
            if (t.isEmpty()) {
                continue;
            }
            try {
                out.add(Cidr.parse(t));
            } catch (IllegalArgumentException notAnAddress) {
                Optional<InetAddress> withPort = hop(t);
                if (withPort.isPresent()) {
                    out.add(Cidr.parse(withPort.get().getHostAddress()));
                    continue;
                }
                String host = t.replaceFirst(":\\d+$", "");
                try {
                    for (InetAddress a : InetAddress.getAllByName(host)) {
                        out.add(Cidr.parse(a.getHostAddress()));
                    }
                } catch (UnknownHostException e) {
                    io.quarkus.logging.Log.warnf("Trusted proxy '%s' is neither an address nor a known host name: ignored", t);
                }
            }
        }
        return List.copyOf(out);
    }

    /** The proxy settings as README documents them (Quarkus' own names). */
    private record Proxies(boolean forwarding, boolean xForwarded, boolean forwarded, String trustedText,
                           List<Cidr> trusted) {

        /** Forwarding on, and at least one header allowed. */
        boolean active() {
            return forwarding && (xForwarded || forwarded);
        }

        boolean trusts(InetAddress a) {
            return trusted.stream().anyMatch(c -> c.contains(a));
        }

        /** Every hop, left to right, from all the headers the settings allow ({@code Forwarded} first, as Quarkus). */
        List<String> hops(HttpServerRequest request) {
            List<String> out = new ArrayList<>();
            if (forwarded) {
                for (String header : request.headers().getAll("Forwarded")) {
                    for (String element : header.split(",", -1)) {
                        for (String pair : element.split(";")) {
                            String kv = pair.strip();
                            if (kv.toLowerCase(Locale.ROOT).startsWith("for=")) {
                                out.add(kv.substring(4));
                            }
                        }
                    }
                }
                if (!out.isEmpty()) {
                    return out;
                }
            }
            if (xForwarded) {
                for (String header : request.headers().getAll("X-Forwarded-For")) {
                    for (String entry : header.split(",", -1)) {
                        out.add(entry);
                    }
                }
            }
            return out;
        }
    }
}
