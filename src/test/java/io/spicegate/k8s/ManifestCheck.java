package io.spicegate.k8s;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads Kubernetes manifests strictly: every object into fabric8's typed model (a number where a string belongs
 * fails), then walks every nested model object and reports any non-empty {@code additionalProperties} — where the
 * model silently puts fields it does not know (a typo, a field at the wrong level, a value of the wrong type) —
 * and finally writes the typed object back and compares it with the source, so that a value the model quietly
 * converted (a quoted {@code "2"} read into an int field) is reported too. The CloudNativePG {@code Cluster} has no typed model:
 * it is read as a {@link GenericKubernetesResource} and its spec checked against {@link #CNPG_CLUSTER_SPEC}, a
 * hand-written schema of exactly the fields these manifests use.
 */
final class ManifestCheck {

    /** Marker types of the hand-written schema. */
    enum Scalar { STRING, INT, BOOL, STRING_MAP }

    /** One allowed value among several. */
    record OneOf(Set<String> values) { }

    /** A list whose every element has this schema. */
    record ListOf(Object element) { }

    /** A value checked as a typed fabric8 model class. */
    record Typed(Class<?> type) { }

    /**
     * The fields of CloudNativePG's {@code ClusterSpec} (postgresql.cnpg.io/v1, api/v1/cluster_types.go) that
     * k8s/postgres-cluster.yaml uses, with their types. Anything else in the spec is refused.
     */
    static final Map<String, Object> CNPG_CLUSTER_SPEC = Map.ofEntries(
            Map.entry("inheritedMetadata", Map.of("labels", Scalar.STRING_MAP, "annotations", Scalar.STRING_MAP)),
            Map.entry("instances", Scalar.INT),
            Map.entry("imageName", Scalar.STRING),
            Map.entry("primaryUpdateStrategy", new OneOf(Set.of("unsupervised", "supervised"))),
            Map.entry("enableSuperuserAccess", Scalar.BOOL),
            Map.entry("bootstrap", Map.of("initdb", Map.of(
                    "database", Scalar.STRING,
                    "owner", Scalar.STRING,
                    "secret", Map.of("name", Scalar.STRING)))),
            // api/v1/cluster_types.go ManagedConfiguration / RoleConfiguration
            Map.entry("managed", Map.of("roles", new ListOf(Map.of(
                    "name", Scalar.STRING,
                    "ensure", new OneOf(Set.of("present", "absent")),
                    "comment", Scalar.STRING,
                    "login", Scalar.BOOL,
                    "superuser", Scalar.BOOL,
                    "createdb", Scalar.BOOL,
                    "createrole", Scalar.BOOL,
                    "passwordSecret", Map.of("name", Scalar.STRING))))),
            // map[string]string: PostgreSQL parameters must be quoted, the API server refuses numbers
            Map.entry("postgresql", Map.of("parameters", Scalar.STRING_MAP)),
            Map.entry("storage", Map.of("size", Scalar.STRING, "storageClass", Scalar.STRING)),
            Map.entry("affinity", Map.of(
                    "enablePodAntiAffinity", Scalar.BOOL,
                    "topologyKey", Scalar.STRING,
                    "podAntiAffinityType", new OneOf(Set.of("preferred", "required")))),
            Map.entry("resources", new Typed(ResourceRequirements.class)));

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    /** One object of a manifest: the YAML as written and what the model made of it. */
    record Parsed(JsonNode source, KubernetesResource object) { }

    final KubernetesSerialization serialization;
    private final ObjectMapper strict;
    private final YAMLMapper yaml = new YAMLMapper();

    ManifestCheck() {
        strict = JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .build();
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            strict.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            strict.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        serialization = new KubernetesSerialization(strict, true);
    }

    /** The objects of one YAML file (several documents allowed), each parsed strictly. */
    List<Parsed> parse(String text) {
        List<Parsed> out = new ArrayList<>();
        for (String doc : DOCUMENT_SEPARATOR.split(text)) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            JsonNode source;
            try {
                source = yaml.readTree(doc);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("not YAML: " + e.getMessage(), e);
            }
            out.add(new Parsed(source, serialization.convertValue(source, KubernetesResource.class)));
        }
        return out;
    }

    /** Every problem of one object, as sentences naming the object and the path; empty when it is clean. */
    List<String> problems(Parsed parsed) {
        KubernetesResource resource = parsed.object();
        List<String> problems = new ArrayList<>();
        String name = resource instanceof HasMetadata h
                ? h.getKind() + " " + (h.getMetadata() == null ? "?" : h.getMetadata().getName()) : resource.toString();
        if (resource instanceof GenericKubernetesResource g) {
            if (!"postgresql.cnpg.io/v1".equals(g.getApiVersion()) || !"Cluster".equals(g.getKind())) {
                problems.add(name + ": " + g.getApiVersion() + " " + g.getKind() + " has no typed model here and no schema");
                return problems;
            }
            walk(g.getMetadata(), name + ": metadata", problems, new IdentityHashMap<>());
            Map<String, Object> rest = g.getAdditionalProperties();
            for (String key : rest.keySet()) {
                if (!key.equals("spec")) {
                    problems.add(name + ": unexpected top-level field '" + key + "'");
                }
            }
            checkSchema(parsed.source().get("spec"), CNPG_CLUSTER_SPEC, name + ": spec", problems);
            return problems;
        }
        walk(resource, name, problems, new IdentityHashMap<>());
        sameAsWritten(parsed.source(), strict.valueToTree(resource), name, problems);
        return problems;
    }

    /**
     * Everything written must come back from the model as written: a quoted value the model read as a number or
     * a boolean is a wrong type the API server would refuse. (A number read into a quantity comes back as text:
     * fine.)
     */
    private static void sameAsWritten(JsonNode written, JsonNode read, String path, List<String> problems) {
        if (read == null || read.isMissingNode() || read.isNull()) {
            if (!written.isNull()) {
                problems.add(path + ": " + written + " was dropped by the model");
            }
        } else if (written.isObject()) {
            written.fields().forEachRemaining(e -> sameAsWritten(e.getValue(), read.get(e.getKey()), path + "." + e.getKey(), problems));
        } else if (written.isArray()) {
            for (int i = 0; i < written.size(); i++) {
                sameAsWritten(written.get(i), read.get(i), path + "[" + i + "]", problems);
            }
        } else if (written.isTextual() && !read.isTextual()) {
            problems.add(path + ": " + written + " is text, but the field is a " + read.getNodeType().name().toLowerCase()
                    + ": write it unquoted");
        } else if (!written.asText().equals(read.asText())) {
            problems.add(path + ": " + written + " was read as " + read);
        }
    }

    /** Recursively through every field of every fabric8 model object, collections and maps included. */
    private void walk(Object o, String path, List<String> problems, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "[" + k + "]", problems, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                f.setAccessible(true);
                Object value;
                try {
                    value = f.get(o);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (f.getName().equals("additionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown or wrongly typed field(s) " + extra.keySet()
                                + " in " + o.getClass().getSimpleName());
                    }
                } else {
                    walk(value, path + "." + f.getName(), problems, seen);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void checkSchema(JsonNode node, Object schema, String path, List<String> problems) {
        if (schema instanceof Map<?, ?> fields) {
            if (node == null || !node.isObject()) {
                problems.add(path + ": expected an object");
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Object sub = ((Map<String, Object>) fields).get(e.getKey());
                if (sub == null) {
                    problems.add(path + "." + e.getKey() + ": not a field this schema knows (typo, or add it to the schema "
                            + "after checking CloudNativePG's API reference)");
                } else {
                    checkSchema(e.getValue(), sub, path + "." + e.getKey(), problems);
                }
            }
        } else if (schema instanceof ListOf list) {
            if (node == null || !node.isArray()) {
                problems.add(path + ": expected a list");
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                checkSchema(node.get(i), list.element(), path + "[" + i + "]", problems);
            }
        } else if (schema instanceof OneOf oneOf) {
            if (!node.isTextual() || !oneOf.values().contains(node.asText())) {
                problems.add(path + ": expected one of " + oneOf.values() + ", not " + node);
            }
        } else if (schema instanceof Typed typed) {
            try {
                walk(strict.treeToValue(node, typed.type()), path, problems, new IdentityHashMap<>());
            } catch (Exception e) {
                problems.add(path + ": not a " + typed.type().getSimpleName() + ": " + e.getMessage());
            }
        } else {
            boolean ok = switch ((Scalar) schema) {
                case STRING -> node.isTextual();
                case INT -> node.isInt();
                case BOOL -> node.isBoolean();
                case STRING_MAP -> node.isObject() && iterable(node).stream().allMatch(JsonNode::isTextual);
            };
            if (!ok) {
                problems.add(path + ": expected " + schema.toString().toLowerCase().replace('_', ' ') + ", not " + node);
            }
        }
    }

    private static List<JsonNode> iterable(JsonNode object) {
        List<JsonNode> out = new ArrayList<>();
        object.elements().forEachRemaining(out::add);
        return out;
    }
}
