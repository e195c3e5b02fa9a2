package io.spicegate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the settings come from: the variables win over {@code ~/.config/spicegate/cli.properties}
 * ({@code $XDG_CONFIG_HOME} honoured), a file other users may read is refused like ssh refuses a key, and
 * {@code spicegate login} checks URL and token with one call before it writes the file 0600 in a 0700 directory.
 */
class CliConfigTest {

    static final String FILE_TOKEN = "sgp_from_the_file_abcdef";

    @TempDir
    Path home;
    FakeApi api;
    /** A port nothing listens on. */
    String closed;

    @BeforeEach
    void start() throws IOException {
        api = new FakeApi();
        api.answer = c -> c.path().equals("/api/v1/consoles") ? FakeApi.Reply.json(200, "[{\"name\": \"debianx\", \"decision\": \"ALLOWED\"}]")
                : FakeApi.Reply.json(404, "{\"error\": \"no\"}");
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString()));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    Path writeConfig(Path file, String text, String mode) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    Path defaultFile() {
        return home.resolve(".config/spicegate/cli.properties");
    }

    @Test
    void theFileAloneIsEnough() throws IOException {
        writeConfig(defaultFile(), "url=" + api.url() + "/\ntoken=" + FILE_TOKEN + "\n", "rw-------");
        FakeApi.Result r = FakeApi.run(env(), "", "consoles");
        assertEquals(0, r.code(), r.toString());
        assertEquals("Bearer " + FILE_TOKEN, api.calls.get(0).authorization());
        assertEquals("/api/v1/consoles", api.calls.get(0).path());
    }

    @Test
    void theVariablesWinOverTheFile() throws IOException {
        writeConfig(defaultFile(), "url=" + closed + "\ntoken=" + FILE_TOKEN + "\n", "rw-------");
        FakeApi.Result r = FakeApi.run(env("SPICEGATE_URL", api.url(), "SPICEGATE_TOKEN", FakeApi.TOKEN), "", "consoles");
        assertEquals(0, r.code(), r.toString());
        assertEquals("Bearer " + FakeApi.TOKEN, api.calls.get(0).authorization());

        // each variable on its own: the URL from the variable, the token from the file, and the other way round
        assertEquals(0, FakeApi.run(env("SPICEGATE_URL", api.url()), "", "consoles").code());
        assertEquals("Bearer " + FILE_TOKEN, api.calls.get(1).authorization());
        FakeApi.Result fileUrl = FakeApi.run(env("SPICEGATE_TOKEN", FakeApi.TOKEN), "", "consoles");
        assertEquals(4, fileUrl.code(), "the file's URL (closed port) was used: " + fileUrl);
        assertTrue(fileUrl.err().contains(closed), fileUrl.err());
    }

    @Test
    void xdgConfigHomeIsHonoured() throws IOException {
        Path xdg = home.resolve("xdg");
        writeConfig(xdg.resolve("spicegate/cli.properties"), "url=" + api.url() + "\ntoken=" + FILE_TOKEN + "\n", "rw-------");
        writeConfig(defaultFile(), "url=" + closed + "\ntoken=wrong\n", "rw-------");
        assertEquals(0, FakeApi.run(env("XDG_CONFIG_HOME", xdg.toString()), "", "consoles").code());
        assertEquals("Bearer " + FILE_TOKEN, api.calls.get(0).authorization());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----"})
    void aFileOthersMayReadIsRefusedWithTheChmodToRun(String mode) throws IOException {
        Path file = writeConfig(defaultFile(), "url=" + api.url() + "\ntoken=" + FILE_TOKEN + "\n", mode);
        FakeApi.Result r = FakeApi.run(env(), "", "consoles");
        assertEquals(2, r.code());
        assertEquals("spicegate: " + file + " holds your token but other users may read it (" + mode + "): run chmod 600 "
                + file + " first.\n", r.err());
        assertEquals(List.of(), api.calls);
        assertFalse(r.all().contains(FILE_TOKEN));
    }

    @Test
    void noSettingsAnUnknownKeyOrABadUrlAreUsageErrors() throws Exception {
        FakeApi.Result none = FakeApi.run(env(), "", "consoles");
        assertEquals(2, none.code());
        assertEquals("spicegate: No portal is configured: run spicegate login, or set SPICEGATE_URL and SPICEGATE_TOKEN.\n", none.err());

        FakeApi.Result openNone = FakeApi.run(env("PATH", home.toString()), "", "open", "debianx");
        assertEquals(none.err(), openNone.err(), "the missing settings are said before a missing remote-viewer");

        // the CA file is read before any call (PortalHttpTest has every reason); a FIFO no longer hangs the command
        Path fifo = home.resolve("ca.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        for (String[] ca : new String[][] {{home.resolve("no-ca.pem").toString(), "does not exist"},
                {fifo.toString(), "is not a regular file: it should be the PEM file of the portal's CA"}}) {
            FakeApi.Result badCa = FakeApi.run(env("SPICEGATE_URL", "https://127.0.0.1:9", "SPICEGATE_TOKEN", FakeApi.TOKEN,
                    "SPICEGATE_CA", ca[0]), "", "consoles");
            assertEquals(2, badCa.code(), badCa.toString());
            assertEquals("spicegate: The CA file " + ca[0] + " (SPICEGATE_CA, or ca in the config file) " + ca[1] + ".\n",
                    badCa.err());
        }
        // a CA with a plain http address: the token would go in clear
        FakeApi.Result httpCa = FakeApi.run(env("SPICEGATE_URL", api.url(), "SPICEGATE_TOKEN", FakeApi.TOKEN,
                "SPICEGATE_CA", "/etc/ssl/certs/ca-certificates.crt"), "", "consoles");
        assertEquals(2, httpCa.code());
        assertEquals("spicegate: A CA file is set (/etc/ssl/certs/ca-certificates.crt), but the portal's address " + api.url()
                + " is plain http, which would send your token unencrypted: use the portal's https:// address.\n", httpCa.err());
        // a relative CA path in the file would name another file in every directory
        writeConfig(defaultFile(), "url=https://127.0.0.1:9\ntoken=" + FILE_TOKEN + "\nca=pki/ca.pem\n", "rw-------");
        FakeApi.Result relative = FakeApi.run(env(), "", "consoles");
        assertEquals(2, relative.code());
        assertEquals("spicegate: ca in " + defaultFile() + " is a relative path (pki/ca.pem): write the CA file's absolute "
                + "path there, or run spicegate login again.\n", relative.err());
        assertEquals(List.of(), api.calls);

        writeConfig(defaultFile(), "url=" + api.url() + "\ntoken=" + FILE_TOKEN + "\npassword=x\n", "rw-------");
        FakeApi.Result unknown = FakeApi.run(env(), "", "consoles");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown key 'password'"), unknown.err());

        Files.delete(defaultFile());
        FakeApi.Result badUrl = FakeApi.run(env("SPICEGATE_URL", "portal.example.org", "SPICEGATE_TOKEN", FakeApi.TOKEN), "", "consoles");
        assertEquals(2, badUrl.code());
        assertTrue(badUrl.err().contains("must look like https://portal.example.org"), badUrl.err());

        FakeApi.Result badToken = FakeApi.run(env("SPICEGATE_URL", api.url(), "SPICEGATE_TOKEN", "sgp_a b\r\nX-Evil: 1"), "", "consoles");
        assertEquals(2, badToken.code());
        assertFalse(badToken.all().contains("sgp_a"), badToken.all());
        assertEquals(List.of(), api.calls);
    }

    @Test
    void loginChecksTheTokenThenWritesAPrivateFileAtomically() throws IOException {
        FakeApi.Result r = FakeApi.run(env(), api.url() + "\n" + FakeApi.TOKEN + "\n", "login");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of(new FakeApi.Call("GET", "/api/v1/consoles", "Bearer " + FakeApi.TOKEN, "")), api.calls);
        Path file = defaultFile();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        String text = Files.readString(file);
        assertTrue(text.contains("token=" + FakeApi.TOKEN), text);
        assertTrue(text.contains("url=" + api.url().replace(":", "\\:")), text);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
        assertEquals("Logged in to " + api.url() + " (1 console(s)); saved to " + file + " (0600).\n", r.out());
        assertFalse(r.all().contains(FakeApi.TOKEN), "the token is never printed");

        // and the next command runs on it
        assertEquals(0, FakeApi.run(env(), "", "consoles").code());
        assertEquals("Bearer " + FakeApi.TOKEN, api.calls.get(1).authorization());
    }

    @Test
    void loginSavesNothingWhenTheAnswerIsNotAConsoleList() {
        api.answer = c -> FakeApi.Reply.json(200, "{\"error\": \"sink\"}");
        FakeApi.Result r = FakeApi.run(env(), api.url() + "\n" + FakeApi.TOKEN + "\n", "login");
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().endsWith("spicegate: The answer from " + api.url() + " is not the portal's list of consoles: "
                + "is that the Spicegate portal's address?\n"), r.err()); // after the prompts
        assertFalse(Files.exists(defaultFile()));
    }

    @Test
    void aCaNamedRelativelyInTheShellIsKeptAsAnAbsolutePath() {
        assertEquals(Path.of(System.getProperty("user.dir")).resolve("pki/ca.pem"), CliConfig.ca("pki/ca.pem", null));
        assertEquals(Path.of("/etc/ca.pem"), CliConfig.ca(" /etc/../etc/ca.pem ", defaultFile()));
    }

    @Test
    void loginReplacesASharedFileWithAPrivateOne() throws IOException {
        Path file = writeConfig(defaultFile(), "url=" + closed + "\ntoken=old\n", "rw-r--r--");
        FakeApi.Result r = FakeApi.run(env(), api.url() + "\n" + FakeApi.TOKEN + "\n", "login");
        assertEquals(0, r.code(), r.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).contains("token=" + FakeApi.TOKEN));
    }

    @Test
    void aRefusedTokenWritesNothing() {
        api.answer = c -> FakeApi.Reply.json(401, "{\"error\": \"Log in first.\"}");
        FakeApi.Result r = FakeApi.run(env(), api.url() + "\n" + FakeApi.TOKEN + "\n", "login");
        assertEquals(3, r.code());
        assertTrue(r.err().endsWith("Log in first. Make a new token on My account and run spicegate login.\n"), r.err());
        assertFalse(Files.exists(defaultFile()));
        assertFalse(r.all().contains(FakeApi.TOKEN));
    }

    @Test
    void loginWithoutInputIsAUsageError() {
        FakeApi.Result r = FakeApi.run(env(), "", "login");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("spicegate: login needs the portal's URL"), r.err());
        assertFalse(Files.exists(defaultFile()));
    }
}
