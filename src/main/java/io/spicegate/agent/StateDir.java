package io.spicegate.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.protocol.Destination;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.logging.Logger;

/**
 * What the agent keeps across restarts in {@code state.dir} (0700): the secret it got at enrollment (0600) and
 * the last protected list (host mode: the console ports), so that a restart without the portal still REJECTs.
 */
public final class StateDir {

    private static final Logger LOG = Logger.getLogger(StateDir.class.getName());

    private final Path dir;
    private final ObjectMapper mapper;

    /** The state kept under {@code dir}. */
    public StateDir(Path dir, ObjectMapper mapper) {
        this.dir = dir;
        this.mapper = mapper;
    }

    /** The secret file: {@code state.dir/secret}. */
    public Path secretFile() {
        return dir.resolve("secret");
    }

    /** The enrolled secret, or null before enrollment. */
    public String secret() throws IOException {
        Path file = secretFile();
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        return secret.isEmpty() ? null : secret;
    }

    /** Keeps the secret, readable by root only; the file never exists with looser permissions. */
    public void saveSecret(String secret) throws IOException {
        write(secretFile(), secret + "\n");
    }

    /** The last protected list, or empty when none was ever received. */
    public List<Destination> protectedDestinations() throws IOException {
        Path file = dir.resolve("protected.json");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return mapper.readValue(file.toFile(), new TypeReference<List<Destination>>() { });
    }

    /** Host mode: the last console ports received, or empty when none was ever received. */
    public List<Integer> guardedPorts() throws IOException {
        Path file = dir.resolve("ports.json");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return mapper.readValue(file.toFile(), new TypeReference<List<Integer>>() { });
    }

    /** Host mode: remembers the console ports, so a restart without the portal still guards them. */
    public void saveGuardedPorts(List<Integer> ports) throws IOException {
        write(dir.resolve("ports.json"), mapper.writeValueAsString(ports) + "\n");
    }

    /** Remembers the protected list. */
    public void saveProtected(List<Destination> destinations) throws IOException {
        write(dir.resolve("protected.json"), mapper.writeValueAsString(destinations) + "\n");
    }

    /** A read of the state that may fail. */
    @FunctionalInterface
    interface Read<T> {

        T read() throws IOException;
    }

    /** A write of the state that may fail. */
    @FunctionalInterface
    interface Write {

        void write() throws IOException;
    }

    /** What {@code read} gives, or {@code fallback} when the state cannot be read: a warning, not a reason to stop. */
    <T> T readOr(Read<T> read, T fallback, String what) {
        try {
            return read.read();
        } catch (IOException e) {
            LOG.warning("cannot read the last " + what + " in " + dir + ": " + e.getMessage());
            return fallback;
        }
    }

    /** Runs {@code write}; a failure is a warning, not a reason to stop (the agent goes on from memory). */
    void keep(Write write, String what) {
        try {
            write.write();
        } catch (IOException e) {
            LOG.warning("cannot keep the " + what + " in " + dir + ": " + e.getMessage());
        }
    }

    private void write(Path file, String content) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
