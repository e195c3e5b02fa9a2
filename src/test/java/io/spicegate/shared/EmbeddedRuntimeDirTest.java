package io.spicegate.shared;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The embedded PostgreSQL's binaries directory: zonky runs whatever it finds in an existing {@code PG-<hash>}, so a
 * directory another account could write to, or anything in it that is not ours, is thrown away before the start.
 */
class EmbeddedRuntimeDirTest {

    @Test
    void plantedBinariesAreThrownAwayAndTheDirectoryIsPrivate() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("EmbeddedRuntimeDirTest hands a file to the account nobody (chown), which needs root");
        }
        Path data = Files.createTempDirectory("sg-runtime-");
        try {
            Path runtime = Files.createDirectories(data.resolve("runtime"));
            Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxrwxrwx")); // as zonky left it
            Path planted = Files.createDirectories(runtime.resolve("PG-0123abcd/bin"));
            Files.writeString(planted.resolve("postgres"), "#!/bin/sh\necho owned\n");
            UserPrincipal nobody = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(planted.resolve("postgres"), nobody);

            Path kept = EmbeddedDatabase.privateRuntimeDirectory(runtime);

            assertEquals(runtime, kept);
            assertFalse(Files.exists(planted), "the planted binaries are gone");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime)));
        } finally {
            try (var walk = Files.walk(data)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void ourOwnPrivateBinariesAreKept() throws Exception {
        Path data = Files.createTempDirectory("sg-runtime-");
        try {
            Path runtime = Files.createDirectories(data.resolve("runtime"));
            Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
            Path ours = Files.createDirectories(runtime.resolve("PG-0123abcd/bin"));
            Files.writeString(ours.resolve("postgres"), "binary");

            EmbeddedDatabase.privateRuntimeDirectory(runtime);

            assertTrue(Files.exists(ours.resolve("postgres")), "unpacked once, kept for the next start");
        } finally {
            try (var walk = Files.walk(data)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
