package io.spicegate.shared;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * The embedded default's secrets, generated at first start into {@code <data-dir>/secrets.properties} (mode 0600,
 * readable by the portal's own account only): the owner's and the runtime role's database passwords and the audit
 * chain's HMAC key. Kept outside PostgreSQL, so a copy of the database alone cannot forge the audit chain.
 */
public record EmbeddedSecrets(String ownerPassword, String runtimePassword, String auditKey) {

    public static final String FILE = "secrets.properties";

    /** Reads the file, adding what is missing (a first start, or a data dir made by an earlier version). */
    public static EmbeddedSecrets loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
            }
            boolean added = false;
            for (String key : new String[] {"owner-password", "runtime-password", "audit-key"}) {
                if (p.getProperty(key, "").isBlank()) {
                    p.setProperty(key, Secrets.token(""));
                    added = true;
                }
            }
            if (added || !Files.exists(file)) {
                writePrivately(file, p);
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return new EmbeddedSecrets(p.getProperty("owner-password"), p.getProperty("runtime-password"),
                    p.getProperty("audit-key"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or write the embedded database's secrets in " + file, e);
        }
    }

    /** Written to a 0600 file beside it first, then moved over: never readable by others, never half written. */
    private static void writePrivately(Path file, Properties p) throws IOException {
        Path tmp = file.resolveSibling(FILE + ".new");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "Spicegate embedded database: generated secrets. Keep private; do not lose (the audit key "
                    + "verifies the audit chain).");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public String toString() {
        return "EmbeddedSecrets[hidden]";
    }
}
