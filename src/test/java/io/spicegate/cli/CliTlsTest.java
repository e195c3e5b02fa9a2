package io.spicegate.cli;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command over https against real TLS servers (self-signed certificates made with keytool): with the portal's
 * certificate as SPICEGATE_CA it works; without it, with a certificate for another name, or an expired one, it says
 * so in words (exit 4, one line, no Java class names), and the token never reaches a server it does not trust.
 */
class CliTlsTest {

    static Path dir;
    static final List<HttpsServer> servers = new ArrayList<>();
    static final List<String> authorizations = new ArrayList<>();
    static String good;
    static String expired;

    @BeforeAll
    static void servers() throws Exception {
        dir = Files.createTempDirectory("sgt-cli-tls-");
        good = start(keystore("good", "san=ip:127.0.0.1"));
        expired = start(expiredLeaf());
    }

    /** A CA ({@code ca.pem}, valid) and a certificate it signed that expired nine days ago, in a key store. */
    static Path expiredLeaf() throws Exception {
        Path ca = keystore("ca", "bc:c");
        Path leaf = keystore("expired", "san=ip:127.0.0.1");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        String csr = dir.resolve("expired.csr").toString();
        String signed = dir.resolve("expired-signed.pem").toString();
        run(keytool, "-certreq", "-alias", "expired", "-keystore", leaf.toString(), "-storepass", "changeit", "-file", csr);
        run(keytool, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", "changeit", "-infile", csr,
                "-outfile", signed, "-rfc", "-startdate", "-10d", "-validity", "1", "-ext", "san=ip:127.0.0.1");
        run(keytool, "-importcert", "-noprompt", "-alias", "ca", "-keystore", leaf.toString(), "-storepass", "changeit",
                "-file", dir.resolve("ca.pem").toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "expired", "-keystore", leaf.toString(), "-storepass", "changeit",
                "-file", signed);
        return leaf;
    }

    @AfterAll
    static void stop() throws Exception {
        servers.forEach(s -> s.stop(0));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** A PKCS12 key store with a self-signed certificate (valid 1 day) with extension {@code ext}, its PEM beside it. */
    static Path keystore(String name, String ext) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path store = dir.resolve(name + ".p12");
        run(List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC", "-dname",
                "CN=" + name, "-ext", ext, "-validity", "1", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit").toArray(String[]::new));
        run(keytool, "-exportcert", "-rfc", "-alias", name, "-keystore", store.toString(), "-storepass", "changeit",
                "-file", dir.resolve(name + ".pem").toString());
        return store;
    }

    /** An https server on loopback that answers the console list and notes each Authorization header. */
    static String start(Path store) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(factory.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            synchronized (authorizations) {
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            }
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    static FakeApi.Result consoles(String url, String host, Path ca) {
        String address = url.replace("127.0.0.1", host);
        Map<String, String> env = ca == null
                ? Map.of("HOME", dir.toString(), "SPICEGATE_URL", address, "SPICEGATE_TOKEN", FakeApi.TOKEN)
                : Map.of("HOME", dir.toString(), "SPICEGATE_URL", address, "SPICEGATE_TOKEN", FakeApi.TOKEN,
                        "SPICEGATE_CA", ca.toString());
        return FakeApi.run(env, "", "consoles", "--json");
    }

    @Test
    void withThePortalsCaItWorks() {
        FakeApi.Result r = consoles(good, "127.0.0.1", dir.resolve("good.pem"));
        assertEquals(0, r.code(), r.toString());
        assertEquals("[]", r.out().strip());
    }

    @Test
    void whatIsWrongWithTheCertificateIsSaidInWords() {
        authorizations.clear();
        assertEquals("spicegate: Cannot reach the portal at " + good + ": its certificate is not signed by a CA this command "
                + "trusts; if it uses a private CA, set SPICEGATE_CA (or ca in the config file) to its PEM file.\n",
                consoles(good, "127.0.0.1", null).err());
        String localhost = good.replace("127.0.0.1", "localhost");
        assertEquals("spicegate: Cannot reach the portal at " + localhost + ": its certificate is not for the name localhost; "
                + "if it uses a private CA, set SPICEGATE_CA (or ca in the config file) to its PEM file.\n",
                consoles(good, "localhost", dir.resolve("good.pem")).err());
        FakeApi.Result old = consoles(expired, "127.0.0.1", dir.resolve("ca.pem"));
        assertEquals(4, old.code());
        assertEquals("spicegate: Cannot reach the portal at " + expired + ": its certificate has expired; if it uses a "
                + "private CA, set SPICEGATE_CA (or ca in the config file) to its PEM file.\n", old.err());
        assertTrue(authorizations.isEmpty(), "a token reached a server that was not trusted: " + authorizations);
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }
}
