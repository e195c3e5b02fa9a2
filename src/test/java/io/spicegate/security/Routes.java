package io.spicegate.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The routes of the portal, generated (never hand-written): from the OpenAPI document the running portal serves
 * (API and Qute pages alike) and, for any resource method OpenAPI hides, by reflection on the compiled classes; so
 * a test can prove it covered every one of them (a new route cannot escape it).
 */
public record Routes(List<Route> all) {

    /** One resource method: HTTP method and path template such as {@code /admin/users/{id}/password}. */
    public record Route(String method, String template) implements Comparable<Route> {

        /** Whether a concrete path (no query) is an instance of this template. */
        public boolean matches(String path) {
            String regex = Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
            return path.matches(regex);
        }

        @Override
        public int compareTo(Route o) {
            int c = template.compareTo(o.template);
            return c != 0 ? c : method.compareTo(o.method);
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    private static final Map<Class<? extends Annotation>, String> METHODS = Map.of(GET.class, "GET", POST.class, "POST",
            PUT.class, "PUT", DELETE.class, "DELETE", PATCH.class, "PATCH");

    /** The routes the running portal serves: its OpenAPI document, plus the resource methods OpenAPI does not show. */
    public static Routes served() {
        TreeSet<Route> routes = new TreeSet<>(fromOpenApi());
        routes.addAll(scan().all());
        return new Routes(List.copyOf(routes));
    }

    /** The operations of {@code /q/openapi} (a {@code @QuarkusTest}'s portal, through rest-assured). */
    static List<Route> fromOpenApi() {
        String json = io.restassured.RestAssured.given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        JsonNode paths;
        try {
            paths = new ObjectMapper().readTree(json).path("paths");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Route> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (Iterator<String> methods = p.getValue().fieldNames(); methods.hasNext(); ) {
                String m = methods.next().toUpperCase(Locale.ROOT);
                if (METHODS.containsValue(m)) {
                    out.add(new Route(m, normalise(p.getKey())));
                }
            }
        }
        if (out.size() < 50 || !out.contains(new Route("GET", "/consoles")) || !out.contains(new Route("GET", "/api/v1/consoles"))) {
            throw new AssertionError("OpenAPI should list the API and the pages (they are JAX-RS too): " + out);
        }
        return out;
    }

    /** /a//b/ → /a/b; {id: [0-9]+} → {id}. */
    static String normalise(String path) {
        String p = path.replaceAll("\\{\\s*([A-Za-z0-9_]+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/");
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? "/" : p;
    }

    /** Every resource method of the classes under {@code io.spicegate}, from {@code target/classes}. */
    static Routes scan() {
        java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("spicegate.build-dir", "target"), "classes");
        List<Route> routes = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = Files.walk(root.resolve("io/spicegate"))) {
            for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
                Path base = type.getAnnotation(Path.class);
                if (base == null) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    for (var e : METHODS.entrySet()) {
                        if (m.isAnnotationPresent(e.getKey())) {
                            Path sub = m.getAnnotation(Path.class);
                            routes.add(new Route(e.getValue(), normalise(join(base.value(), sub == null ? "" : sub.value()))));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        if (routes.size() < 50) {
            throw new AssertionError("found only " + routes.size() + " routes under " + root + ": is it the build output?");
        }
        return new Routes(List.copyOf(new TreeSet<>(routes)));
    }

    static String join(String a, String b) {
        String s = ("/" + a + "/" + b).replaceAll("/+", "/");
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** The routes with this HTTP method whose template starts with one of the prefixes. */
    public List<Route> of(String method, java.util.function.Predicate<String> template) {
        return all.stream().filter(r -> r.method.equals(method) && template.test(r.template)).toList();
    }

    /** The templates among {@code routes} that none of the concrete paths instantiates. */
    public static List<Route> uncovered(List<Route> routes, java.util.Collection<String> paths) {
        return routes.stream().filter(r -> paths.stream().map(p -> p.replaceAll("\\?.*", "")).noneMatch(r::matches)).toList();
    }
}
