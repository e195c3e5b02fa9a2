package io.spicegate.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged portal in its production configuration (the embedded default, no proxy trusted) serves a session's
 * launch file only to the session's workstation (issue 13 point 1): ralph opens vm3 from mylap (127.0.0.1); a local
 * account asking from a second loopback address (127.0.0.99, the client socket bound to it) gets 403 with a sentence,
 * on the API and the page route, also when it claims to be 127.0.0.1 in X-Forwarded-For; mylap then still gets the
 * file once.
 */
class LaunchFileBindingIT {

    static final String ELSEWHERE = "127.0.0.99";
    static final String RALPH = "Basic " + Base64.getEncoder().encodeToString("ralph:demo".getBytes(StandardCharsets.UTF_8));

    Path data;
    PortalProcess portal;

    @BeforeEach
    void start() throws Exception {
        data = Files.createTempDirectory("sg-vv-binding-");
        portal = PortalProcess.start("launch-file-binding-portal", Map.of("SPICEGATE_DATA_DIR", data.toString()));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (portal != null) {
                portal.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One HTTP/1.0 answer read off a plain socket. */
    record Raw(int status, Map<String, String> headers, String body) { }

    /** A request from a socket bound to {@code local}: java.net.http cannot choose its source address. */
    Raw send(String local, String method, String path, Map<String, String> headers, String body) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), portal.port), 5000);
            s.setSoTimeout(30000);
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + portal.port + "\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) {
                req.append("Content-Length: ").append(payload.length).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String[] head = all.substring(0, split).split("\r\n");
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                h.put(head[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).strip());
            }
            return new Raw(Integer.parseInt(head[0].split(" ")[1]), h, all.substring(split + 4));
        }
    }

    Raw get(String local, String path, Map<String, String> headers) throws IOException {
        return send(local, "GET", path, headers, null);
    }

    /** Logs ralph in through the form from mylap and returns his login cookie. */
    String formLogin() throws IOException {
        String form = "username=ralph&password=demo&next=" + URLEncoder.encode("/consoles", StandardCharsets.UTF_8);
        Raw r = send("127.0.0.1", "POST", "/login", Map.of("Content-Type", "application/x-www-form-urlencoded",
                "Origin", portal.base), form);
        assertEquals(303, r.status(), r.body());
        String cookie = r.headers().get("set-cookie");
        assertTrue(cookie != null && cookie.startsWith("spicegate_session="), r.headers().toString());
        return cookie.split(";", 2)[0];
    }

    @Test
    void theLaunchFileGoesOnlyToTheSessionsWorkstation() throws Exception {
        JsonNode session = Api.basic(portal.base, "ralph", "demo").post("/api/v1/sessions", Map.of("console", "vm3"))
                .expect(201).json();
        assertEquals("mylap", session.path("workstation").asText(), session.toString());
        String vv = session.path("vvUrl").asText();

        Raw api = get(ELSEWHERE, vv, Map.of("Authorization", RALPH));
        assertEquals(403, api.status(), api.body());
        String error = Api.JSON.readTree(api.body()).path("error").asText();
        assertTrue(error.contains("works only on workstation mylap") && error.contains(ELSEWHERE), error);
        assertFalse(api.body().contains("password="), api.body());

        // the production configuration trusts no proxy: a forged X-Forwarded-For changes nothing
        Raw forged = get(ELSEWHERE, vv, Map.of("Authorization", RALPH, "X-Forwarded-For", "127.0.0.1"));
        assertEquals(403, forged.status(), forged.body());

        // the page route, with ralph's login cookie
        String cookie = formLogin();
        Raw page = get(ELSEWHERE, vv.replace("/api/v1", ""), Map.of("Cookie", cookie));
        assertEquals(403, page.status(), page.body());
        assertTrue(page.body().contains("works only on workstation mylap"), page.body());
        assertFalse(page.body().contains("password="), page.body());

        // nothing was used up: mylap gets the file, once
        Raw mine = get("127.0.0.1", vv, Map.of("Authorization", RALPH));
        assertEquals(200, mine.status(), mine.body());
        assertTrue(mine.headers().get("content-type").startsWith(LaunchFile.MEDIA_TYPE), mine.headers().toString());
        assertTrue(mine.body().contains("\npassword="), "the launch file carries the password");
        assertEquals(410, get("127.0.0.1", vv, Map.of("Authorization", RALPH)).status());
    }
}
