package io.spicegate.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every manifest under k8s/ parses into the typed Kubernetes model with nothing left over (see
 * {@link ManifestCheck}), and says what production needs: ≥ 2 replicas, probes, a locked-down container, the
 * client address surviving the ingress, selectors that match, and a kustomization that lists what it should.
 */
class ManifestsTest {

    static final Path K8S = Path.of("k8s");
    static final ManifestCheck CHECK = new ManifestCheck();
    static final Map<String, List<ManifestCheck.Parsed>> BY_FILE = new LinkedHashMap<>();

    @BeforeAll
    static void parseAll() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                if (f.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                try {
                    BY_FILE.put(K8S.relativize(f).toString(), CHECK.parse(Files.readString(f)));
                } catch (RuntimeException e) {
                    throw new AssertionError(f + " does not parse into the Kubernetes model: " + e.getMessage(), e);
                }
            }
        }
    }

    @Test
    void everyObjectIsFullyUnderstoodByTheTypedModel() {
        List<String> problems = new ArrayList<>();
        BY_FILE.forEach((file, objects) -> objects.forEach(o -> CHECK.problems(o).forEach(p -> problems.add(file + ": " + p))));
        assertEquals(List.of(), problems);
        assertEquals(List.of("Cluster", "Deployment", "Ingress", "Namespace", "NetworkPolicy", "PodDisruptionBudget",
                        "Secret", "Service", "StatefulSet"),
                all(HasMetadata.class).map(HasMetadata::getKind).distinct().sorted().toList());
        // only the CloudNativePG cluster is read generically (against ManifestCheck's schema)
        assertEquals(List.of("Cluster"), all(GenericKubernetesResource.class).map(HasMetadata::getKind).toList());
    }

    @Test
    void thePortalRunsAsSeveralLockedDownReplicas() {
        Deployment d = one(Deployment.class, "spicegate-portal");
        assertTrue(d.getSpec().getReplicas() >= 2);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(185L, pod.getSecurityContext().getRunAsUser());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        Container c = pod.getContainers().get(0);
        assertTrue(c.getImage().startsWith("ghcr.io/spicegate/portal:"), "the image -Pimage builds: " + c.getImage());
        assertEquals("/q/health/started", c.getStartupProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        for (var probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
            assertEquals("management", probe.getHttpGet().getPort().getStrVal(), "probes go to the management port");
        }
        assertEquals(9000, c.getPorts().stream().filter(p -> "management".equals(p.getName())).findFirst().orElseThrow()
                .getContainerPort());
        assertEquals(8080, c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow()
                .getContainerPort());
        assertEquals("9000", d.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/port"));
        assertEquals("/q/metrics", d.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/path"));
        assertNotNull(c.getResources().getRequests().get("memory"));
        assertNotNull(c.getResources().getLimits().get("memory"));
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        String tmpVolume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow().getName();
        assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals(tmpVolume)).findFirst().orElseThrow().getEmptyDir());
    }

    @Test
    void databaseAndFirstAdminComeFromSecretsAndClientAddressesFromTheIngress() {
        Container c = one(Deployment.class, "spicegate-portal").getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertTrue(env.get("QUARKUS_DATASOURCE_JDBC_URL").getValue().startsWith("jdbc:postgresql://spicegate-db-rw:5432/"));
        for (String secret : List.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD", "QUARKUS_FLYWAY_USERNAME",
                "QUARKUS_FLYWAY_PASSWORD", "SPICEGATE_AUDIT_KEY", "SPICEGATE_ADMIN_PASSWORD")) {
            String from = env.get(secret).getValueFrom().getSecretKeyRef().getName();
            assertTrue(all(io.fabric8.kubernetes.api.model.Secret.class).anyMatch(s -> s.getMetadata().getName().equals(from)),
                    secret + " names the secret " + from + ", which secrets.example.yaml shows");
        }
        assertEquals("true", env.get("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING").getValue());
        assertEquals("true", env.get("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED").getValue());
        assertTrue(env.get("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES").getValue().matches("[0-9.]+/[0-9]+"), "a pod CIDR");
        Service controller = one(Service.class, "ingress-nginx-controller");
        assertEquals("Local", controller.getSpec().getExternalTrafficPolicy());
        assertTrue(List.of("LoadBalancer", "NodePort").contains(controller.getSpec().getType()));
    }

    /** Migrations run as the database's owner; the portal runs as a managed role that owns nothing and is no superuser. */
    @Test
    void thePortalRunsAsAManagedRoleThatOwnsNothingAndMigratesAsTheOwner() {
        Map<String, EnvVar> env = one(Deployment.class, "spicegate-portal").getSpec().getTemplate().getSpec().getContainers()
                .get(0).getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        JsonNode spec = BY_FILE.get("postgres-cluster.yaml").get(0).source().get("spec");
        String ownerSecret = spec.get("bootstrap").get("initdb").get("secret").get("name").asText();
        assertEquals(ownerSecret, env.get("QUARKUS_FLYWAY_USERNAME").getValueFrom().getSecretKeyRef().getName());
        assertEquals(ownerSecret, env.get("QUARKUS_FLYWAY_PASSWORD").getValueFrom().getSecretKeyRef().getName());
        String runtimeSecret = env.get("QUARKUS_DATASOURCE_USERNAME").getValueFrom().getSecretKeyRef().getName();
        assertEquals(runtimeSecret, env.get("QUARKUS_DATASOURCE_PASSWORD").getValueFrom().getSecretKeyRef().getName());
        assertNotEquals(ownerSecret, runtimeSecret, "two roles");
        io.fabric8.kubernetes.api.model.Secret runtime = one(io.fabric8.kubernetes.api.model.Secret.class, runtimeSecret);
        assertEquals("kubernetes.io/basic-auth", runtime.getType(), "CloudNativePG's passwordSecret must be basic-auth");
        JsonNode role = null;
        for (JsonNode r : spec.get("managed").get("roles")) {
            if (r.get("passwordSecret").get("name").asText().equals(runtimeSecret)) {
                role = r;
            }
        }
        assertNotNull(role, "a managed role whose password is the portal's runtime secret");
        assertEquals(runtime.getStringData().get("username"), role.get("name").asText());
        assertNotEquals(spec.get("bootstrap").get("initdb").get("owner").asText(), role.get("name").asText());
        assertEquals("present", role.get("ensure").asText());
        assertTrue(role.get("login").asBoolean());
        assertFalse(role.get("superuser").asBoolean());
        assertEquals("spicegate-audit-key", env.get("SPICEGATE_AUDIT_KEY").getValueFrom().getSecretKeyRef().getName());
    }

    @Test
    void serviceIngressBudgetAndPolicySelectThePortalPods() {
        Deployment d = one(Deployment.class, "spicegate-portal");
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()));
        Service svc = one(Service.class, "spicegate-portal");
        assertTrue(podLabels.entrySet().containsAll(svc.getSpec().getSelector().entrySet()));
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class, "spicegate-portal");
        assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
        assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
        NetworkPolicy np = one(NetworkPolicy.class, "spicegate-portal");
        assertTrue(podLabels.entrySet().containsAll(np.getSpec().getPodSelector().getMatchLabels().entrySet()));
        // 8080 from the ingress controller only, 9000 (health, metrics) from the monitoring namespace only
        Map<Integer, List<String>> from = new java.util.TreeMap<>();
        for (var rule : np.getSpec().getIngress()) {
            for (var port : rule.getPorts()) {
                for (var peer : rule.getFrom()) {
                    from.computeIfAbsent(port.getPort().getIntVal(), k -> new ArrayList<>())
                            .add(peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"));
                }
            }
        }
        assertEquals(Map.of(8080, List.of("ingress-nginx"), 9000, List.of("monitoring")), from);
        assertEquals(List.of(), svc.getSpec().getPorts().stream()
                .filter(p -> "management".equals(p.getTargetPort().getStrVal()) || Integer.valueOf(9000).equals(p.getTargetPort().getIntVal()))
                .toList(), "the Service (the ingress's backend) does not expose the management port");

        Ingress ingress = one(Ingress.class, "spicegate-portal");
        assertFalse(ingress.getSpec().getTls().isEmpty(), "TLS");
        var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        assertEquals(svc.getMetadata().getName(), backend.getName());
        assertTrue(svc.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(backend.getPort().getName())));
        String read = ingress.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/proxy-read-timeout");
        assertTrue(Integer.parseInt(read) > 30, "longer than an agent's 30 s long-poll");
    }

    @Test
    void kustomizationListsEveryManifestButTheExamplesAndTheControllersService() throws IOException {
        @SuppressWarnings("unchecked")
        List<String> listed = (List<String>) new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                .readValue(K8S.resolve("kustomization.yaml").toFile(), Map.class).get("resources");
        List<String> expected = new ArrayList<>(BY_FILE.keySet().stream().filter(f -> !f.contains("/")).toList());
        expected.removeAll(List.of("secrets.example.yaml", "ingress-controller-service.yaml"));
        assertEquals(expected.stream().sorted().toList(), listed.stream().sorted().toList());
    }

    @Test
    void theStatefulSetAlternativeAnswersWhereThePortalConnects() {
        Container portal = one(Deployment.class, "spicegate-portal").getSpec().getTemplate().getSpec().getContainers().get(0);
        String url = portal.getEnv().stream().filter(e -> e.getName().equals("QUARKUS_DATASOURCE_JDBC_URL")).findFirst()
                .orElseThrow().getValue();
        StatefulSet sts = one(StatefulSet.class, "spicegate-db");
        Service svc = one(Service.class, sts.getSpec().getServiceName());
        assertTrue(url.startsWith("jdbc:postgresql://" + svc.getMetadata().getName() + ":5432/spicegate"), url);
        Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(svc.getSpec().getSelector().entrySet()));
        // the database NetworkPolicy and the portal's egress select this pod as they select CloudNativePG's
        NetworkPolicy db = one(NetworkPolicy.class, "spicegate-db");
        assertTrue(podLabels.entrySet().containsAll(db.getSpec().getPodSelector().getMatchLabels().entrySet()));
        Container pg = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(Boolean.FALSE, pg.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), pg.getSecurityContext().getCapabilities().getDrop());
        assertEquals(Boolean.TRUE, sts.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
    }

    /** The checker itself: each of these mistakes must be reported, none may pass silently. */
    @Test
    void theCheckerCatchesTyposAndWrongTypes() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  replicas: %s
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          env: [{name: PORT, value: %s}]
                          securityContext: {%s: true}
                """;
        assertTrue(CHECK.problems(CHECK.parse(deployment.formatted("2", "\"8080\"", "readOnlyRootFilesystem")).get(0)).isEmpty());
        assertFalse(CHECK.problems(CHECK.parse(deployment.formatted("2", "\"8080\"", "readOnlyRootFileSystem")).get(0)).isEmpty(),
                "a misspelt field");
        assertRejected(deployment.formatted("\"2\"", "\"8080\"", "readOnlyRootFilesystem"), "a quoted int");
        assertRejected(deployment.formatted("2", "8080", "readOnlyRootFilesystem"), "an unquoted env value");

        String cluster = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: db}
                spec:
                  %s: 3
                  postgresql: {parameters: {max_connections: %s}}
                """;
        assertTrue(CHECK.problems(CHECK.parse(cluster.formatted("instances", "\"200\"")).get(0)).isEmpty());
        assertFalse(CHECK.problems(CHECK.parse(cluster.formatted("instance", "\"200\"")).get(0)).isEmpty(), "CNPG typo");
        assertFalse(CHECK.problems(CHECK.parse(cluster.formatted("instances", "200")).get(0)).isEmpty(), "CNPG number");
    }

    private static void assertRejected(String yaml, String what) {
        boolean thrown = false;
        List<String> problems = List.of();
        try {
            problems = CHECK.problems(CHECK.parse(yaml).get(0));
        } catch (RuntimeException e) {
            thrown = true;
        }
        assertTrue(thrown || !problems.isEmpty(), what + " passed silently");
    }

    static <T> Stream<T> all(Class<T> type) {
        return BY_FILE.values().stream().flatMap(List::stream).map(ManifestCheck.Parsed::object).filter(type::isInstance)
                .map(type::cast);
    }

    static <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = all(type).filter(o -> o.getMetadata().getName().equals(name)).toList();
        assertEquals(1, found.size(), type.getSimpleName() + " " + name);
        return found.get(0);
    }
}
