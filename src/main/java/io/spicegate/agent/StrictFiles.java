package io.spicegate.agent;

import io.spicegate.protocol.Grant;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Strict mode's files (seed strategy 3): the launch files {@code <run>/<user>/<console>.vv}
 * ({@code root:spicegrp 0640} in a {@code root:spicegrp 0750} folder) and the sudoers drop-in (0440, checked
 * with {@code visudo -cf} before it is moved into place). Launch files are secrets: never logged.
 */
public final class StrictFiles {

    private static final Logger LOG = Logger.getLogger(StrictFiles.class.getName());

    private final Path runDir;
    private final Path sudoersFile;
    private final String group;
    private final Path remoteViewer;
    private final CommandRunner runner;

    /** Strict files as configured. */
    public StrictFiles(AgentConfig config, CommandRunner runner) {
        this(config.strictRunDir(), config.strictSudoersFile(), config.strictGroup(), config.remoteViewer(), runner);
    }

    StrictFiles(Path runDir, Path sudoersFile, String group, Path remoteViewer, CommandRunner runner) {
        this.runDir = runDir;
        this.sudoersFile = sudoersFile;
        this.group = group;
        this.remoteViewer = remoteViewer;
        this.runner = runner;
    }

    /**
     * Makes the launch files and the drop-in match the {@code grants} (the live grants whose firewall rule is in
     * place). Returns an error sentence per session that could not be set up; those sessions get no sudo rule.
     */
    public Map<String, String> apply(List<Grant> grants) {
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, Sudoers.Entry> entries = new LinkedHashMap<>();
        for (Grant grant : grants) {
            try {
                entries.put(grant.session(), new Sudoers.Entry(grant.user(), grant.console()));
            } catch (IllegalArgumentException e) {
                errors.put(grant.session(), "strict mode: " + e.getMessage());
            }
        }
        GroupPrincipal groupPrincipal = null;
        try {
            groupPrincipal = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            entries.keySet().forEach(s -> errors.put(s, "strict mode: group " + group + " does not exist (run deploy/install.sh)"));
            entries.clear();
        } catch (IOException e) {
            entries.keySet().forEach(s -> errors.put(s, "strict mode: cannot look up group " + group + ": " + e.getMessage()));
            entries.clear();
        }
        Set<Path> keep = new HashSet<>();
        for (Grant grant : grants) {
            Sudoers.Entry entry = entries.get(grant.session());
            if (entry == null) {
                continue;
            }
            Path file = Sudoers.launchFile(runDir, entry);
            keep.add(file);
            if (grant.launchFile() != null) {
                try {
                    writeLaunchFile(file, grant.launchFile(), groupPrincipal);
                } catch (IOException e) {
                    errors.put(grant.session(), "strict mode: cannot write the launch file: " + e.getMessage());
                    entries.remove(grant.session());
                }
            }
        }
        removeLaunchFilesExcept(keep);
        String failure = writeSudoers(new ArrayList<>(entries.values()));
        if (failure != null) {
            entries.keySet().forEach(s -> errors.put(s, "strict mode: " + failure));
        }
        return errors;
    }

    /** Removes every launch file and the drop-in (start, stop, workstation removed). */
    public void clear() {
        removeLaunchFilesExcept(Set.of());
        String failure = writeSudoers(List.of());
        if (failure != null) {
            LOG.warning(failure);
        }
    }

    private void writeLaunchFile(Path file, String content, GroupPrincipal groupPrincipal) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Path userDir = file.getParent();
        Files.createDirectories(runDir);
        if (!Files.isDirectory(userDir)) {
            Files.createDirectory(userDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.getFileAttributeView(userDir, PosixFileAttributeView.class).setGroup(groupPrincipal);
        Files.setPosixFilePermissions(userDir, PosixFilePermissions.fromString("rwxr-x---"));
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Path tmp = userDir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, bytes);
        Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setGroup(groupPrincipal);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r-----"));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void removeLaunchFilesExcept(Set<Path> keep) {
        if (!Files.isDirectory(runDir)) {
            return;
        }
        try (DirectoryStream<Path> users = Files.newDirectoryStream(runDir)) {
            for (Path userDir : users) {
                if (!Files.isDirectory(userDir)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(userDir)) {
                    for (Path file : files) {
                        if (!keep.contains(file)) {
                            Files.deleteIfExists(file);
                        }
                    }
                }
                try (DirectoryStream<Path> rest = Files.newDirectoryStream(userDir)) {
                    if (!rest.iterator().hasNext()) {
                        Files.deleteIfExists(userDir);
                    }
                }
            }
        } catch (IOException e) {
            LOG.warning("strict mode: cannot clean " + runDir + ": " + e.getMessage());
        }
    }

    /** Writes (or removes, when empty) the drop-in; returns why it failed, or null. */
    private String writeSudoers(List<Sudoers.Entry> entries) {
        String text = Sudoers.render(entries, remoteViewer, runDir, group);
        try {
            if (text == null) {
                if (Files.deleteIfExists(sudoersFile)) {
                    LOG.info("strict mode: removed " + sudoersFile + " (no live grant)");
                }
                return null;
            }
            if (Files.isRegularFile(sudoersFile)
                    && Files.readString(sudoersFile, StandardCharsets.UTF_8).equals(text)) {
                return null;
            }
            // sudo skips files in sudoers.d whose name contains a dot, so the candidate is inert until moved
            Path tmp = sudoersFile.resolveSibling("." + sudoersFile.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r-----"));
            CommandRunner.Result check = runner.run(List.of("visudo", "-cf", tmp.toString()), null);
            if (!check.ok()) {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(sudoersFile); // fail closed: no half-trusted rules stay behind
                return "visudo refused the sudoers drop-in: " + check.firstErrorLine();
            }
            Files.move(tmp, sudoersFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("strict mode: wrote " + sudoersFile + " for " + entries.size() + " grant(s)");
            return null;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(sudoersFile);
            } catch (IOException ignored) {
                // reported below
            }
            return "cannot write " + sudoersFile + ": " + e.getMessage();
        }
    }
}
