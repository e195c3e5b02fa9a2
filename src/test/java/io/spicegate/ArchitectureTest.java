package io.spicegate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the pure packages pure: {@code access}, {@code protocol} and {@code agent} must not import the portal's frameworks. */
class ArchitectureTest {

    private static final Path SOURCES = Paths.get("src", "main", "java", "io", "spicegate");
    private static final List<String> FRAMEWORKS = List.of("io.quarkus", "jakarta", "org.hibernate");

    @Test
    void accessIsJavaOnly() throws IOException {
        Path access = SOURCES.resolve("access");
        assertTrue(Files.isDirectory(access), "the access core must exist at " + access);
        List<String> offending = new ArrayList<>();
        offending.addAll(importsStartingWith(access, concat(FRAMEWORKS, "com.fasterxml")));
        // stricter than the list above: the access core may import java.* and itself, nothing else
        for (Import anImport : imports(access)) {
            if (!anImport.target().startsWith("java.") && !anImport.target().startsWith("io.spicegate.access.")) {
                offending.add(anImport.toString());
            }
        }
        assertEquals(List.of(), offending.stream().distinct().toList());
    }

    @Test
    void protocolAndAgentDoNotImportThePortalsFrameworks() throws IOException {
        for (String pkg : List.of("protocol", "agent")) {
            Path dir = SOURCES.resolve(pkg);
            if (Files.isDirectory(dir)) {
                assertEquals(List.of(), importsStartingWith(dir, FRAMEWORKS), pkg + " imports a portal framework");
            }
        }
    }

    @Test
    void theScannerSeesImports() {
        assertEquals("jakarta.inject.Inject", Import.parse("  import jakarta.inject.Inject;"));
        assertEquals("io.quarkus.runtime.Startup.*", Import.parse("import static io.quarkus.runtime.Startup.*;"));
        assertEquals(null, Import.parse("// import jakarta.inject.Inject;"));
        assertEquals(null, Import.parse("String important = \"x\";"));
        assertFalse(startsWithAny("jakartaesque.Thing", FRAMEWORKS));
        assertTrue(startsWithAny("jakarta.inject.Inject", FRAMEWORKS));
    }

    private static List<String> importsStartingWith(Path dir, List<String> prefixes) throws IOException {
        List<String> offending = new ArrayList<>();
        for (Import anImport : imports(dir)) {
            if (startsWithAny(anImport.target(), prefixes)) {
                offending.add(anImport.toString());
            }
        }
        return offending;
    }

    /** A package prefix matches itself and its sub-packages, not a longer name ("jakarta" is not "jakartaesque"). */
    private static boolean startsWithAny(String target, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (target.equals(prefix) || target.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    private static List<Import> imports(Path dir) throws IOException {
        List<Import> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    String target = Import.parse(lines.get(i));
                    if (target != null) {
                        found.add(new Import(file, i + 1, target));
                    }
                }
            }
        }
        return found;
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> all = new ArrayList<>(list);
        all.add(more);
        return all;
    }

    /** One import line of one source file. */
    private record Import(Path file, int line, String target) {

        /** The imported name of an {@code import} or {@code import static} line, or null for any other line. */
        static String parse(String line) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("import ")) {
                return null;
            }
            String rest = trimmed.substring("import ".length()).strip();
            if (rest.startsWith("static ")) {
                rest = rest.substring("static ".length()).strip();
            }
            int semicolon = rest.indexOf(';');
            return (semicolon >= 0 ? rest.substring(0, semicolon) : rest).strip();
        }

        @Override
        public String toString() {
            return file + ":" + line + " imports " + target;
        }
    }
}
