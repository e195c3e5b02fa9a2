package io.spicegate;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package whiteboard (issue 15 point 6), checked on the compiled portal and agent classes, fully-qualified
 * names included: who may name whom, that {@code web} does no persistence, and no cycles between the features.
 * Each rule is also shown to pass on a clean fixture and to fail, naming the offender, on a dirty one
 * ({@code io.spicegate.archfixture}).
 */
class ArchitectureTest {

    static final String BASE = "io.spicegate";
    static final String CLEAN = "io.spicegate.archfixture.clean";
    static final String DIRTY = "io.spicegate.archfixture.dirty";

    /** Every top-level package the rules name; a rule about a package that is gone would hold vacuously. */
    static final List<String> NAMED = List.of("access", "protocol", "agent", "cli", "audit", "shared", "users", "consoles",
            "workstations", "sessions", "requests", "rules", "web");

    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);

    @Test
    void accessIsJavaOnly() {
        accessIsJavaOnly(BASE).check(MAIN);
    }

    @Test
    void protocolNamesNothingOfOurs() {
        protocolNamesOnlyJavaAndJackson(BASE).check(MAIN);
    }

    @Test
    void agentNamesOnlyProtocolAndNoPortalFramework() {
        agentNamesOnlyProtocol(BASE).check(MAIN);
    }

    @Test
    void cliNamesOnlyProtocolAndNoPortalFramework() {
        cliNamesOnlyProtocol(BASE).check(MAIN);
    }

    @Test
    void auditNamesOnlyShared() {
        auditNamesOnlyShared(BASE).check(MAIN);
    }

    @Test
    void sharedNamesNoFeature() {
        sharedNamesNoFeature(BASE).check(MAIN);
    }

    @Test
    void usersConsolesAndWorkstationsNeverReachSessionsRequestsOrRules() {
        lowFeaturesNeverReachHighOnes(BASE).check(MAIN);
    }

    @Test
    void webDoesNoPersistence() {
        webDoesNoPersistence(BASE).check(MAIN);
    }

    @Test
    void noCyclesBetweenTopLevelPackages() {
        noCycles(BASE).check(MAIN);
    }

    @Test
    void theRulesAreNotVacuous() {
        assertTrue(MAIN.size() > 150, "the importer found only " + MAIN.size() + " classes under " + BASE);
        assertTrue(MAIN.stream().noneMatch(c -> c.getSource().map(s -> s.getUri().toString().contains("test-classes"))
                .orElse(false)), "test classes must not be checked as the portal's");
        Set<String> found = MAIN.stream().map(JavaClass::getPackageName).collect(Collectors.toSet());
        for (String pkg : NAMED) {
            assertTrue(found.stream().anyMatch(p -> p.equals(BASE + "." + pkg) || p.startsWith(BASE + "." + pkg + ".")),
                    BASE + "." + pkg + " has no classes: a rule naming it would hold vacuously");
        }
        assertTrue(PANACHE_METHODS.containsAll(List.of("findById", "find", "list", "persist", "count", "delete")),
                "Panache's method names were read: " + PANACHE_METHODS);
    }

    static Stream<String> ruleNames() {
        return rules(CLEAN).keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("ruleNames")
    void eachRuleHoldsOnTheCleanFixture(String rule) {
        rules(CLEAN).get(rule).check(fixture(CLEAN));
    }

    @ParameterizedTest
    @MethodSource("ruleNames")
    void eachRuleFailsOnTheDirtyFixtureAndNamesTheOffender(String rule) {
        AssertionError failure = assertThrows(AssertionError.class, () -> rules(DIRTY).get(rule).check(fixture(DIRTY)),
                rule + " let the dirty fixture through");
        for (String offender : DIRTY_OFFENDERS.get(rule)) {
            assertTrue(failure.getMessage().contains(offender + "."),
                    rule + " should name " + offender + " but said: " + failure.getMessage());
        }
    }

    @Test
    void everyRuleHasAFixtureOffender() {
        assertEquals(rules(DIRTY).keySet(), DIRTY_OFFENDERS.keySet());
    }

    /** The classes of the dirty fixture each rule must name in its failure (each breaks the rule one way). */
    static final Map<String, List<String>> DIRTY_OFFENDERS = Map.of(
            "access", List.of(DIRTY + ".access.Window"),
            "protocol", List.of(DIRTY + ".protocol.Wire"),
            "agent", List.of(DIRTY + ".agent.Poller", DIRTY + ".agent.Daemon"),
            "cli", List.of(DIRTY + ".cli.Command", DIRTY + ".cli.Reply"),
            "audit", List.of(DIRTY + ".audit.Trail"),
            "shared", List.of(DIRTY + ".shared.Json"),
            "low features", List.of(DIRTY + ".users.UserAdmin"),
            "web", List.of(DIRTY + ".web.Page", DIRTY + ".web.Form"),
            "cycles", List.of(DIRTY + ".sessions.Session", DIRTY + ".users.UserAdmin"));

    static JavaClasses fixture(String base) {
        return new ClassFileImporter().importPackages(base);
    }

    /** Every rule of the whiteboard for the packages under {@code base}, by a short name. */
    static Map<String, ArchRule> rules(String base) {
        Map<String, ArchRule> rules = new LinkedHashMap<>();
        rules.put("access", accessIsJavaOnly(base));
        rules.put("protocol", protocolNamesOnlyJavaAndJackson(base));
        rules.put("agent", agentNamesOnlyProtocol(base));
        rules.put("cli", cliNamesOnlyProtocol(base));
        rules.put("audit", auditNamesOnlyShared(base));
        rules.put("shared", sharedNamesNoFeature(base));
        rules.put("low features", lowFeaturesNeverReachHighOnes(base));
        rules.put("web", webDoesNoPersistence(base));
        rules.put("cycles", noCycles(base));
        return rules;
    }

    static ArchRule accessIsJavaOnly(String base) {
        return classes().that().resideInAPackage(base + ".access..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", base + ".access..")
                .because("the access decision is a pure function of rules, requests and an instant (STYLE: Layout)");
    }

    static ArchRule protocolNamesOnlyJavaAndJackson(String base) {
        return classes().that().resideInAPackage(base + ".protocol..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "javax.net.ssl..", "com.fasterxml.jackson..", base + ".protocol..")
                .because("the wire records and the clients' HTTP set-up are shared by the portal, the agents and the command, and name none of them");
    }

    static ArchRule agentNamesOnlyProtocol(String base) {
        return noClasses().that().resideInAPackage(base + ".agent..")
                .should().dependOnClassesThat(ours(base).and(notIn(base, "agent", "protocol"))
                        .or(resideInAnyPackage("io.quarkus..", "jakarta..", "org.hibernate..")))
                .because("the agents are plain Java that share only the wire records with the portal");
    }

    static ArchRule cliNamesOnlyProtocol(String base) {
        return noClasses().that().resideInAPackage(base + ".cli..")
                .should().dependOnClassesThat(ours(base).and(notIn(base, "cli", "protocol"))
                        .or(resideInAnyPackage("io.quarkus..", "jakarta..", "org.hibernate..")))
                .because("the spicegate command is plain Java on the workstation that talks to the portal only over /api/v1");
    }

    static ArchRule auditNamesOnlyShared(String base) {
        return noClasses().that().resideInAPackage(base + ".audit..")
                .should().dependOnClassesThat(ours(base).and(notIn(base, "audit", "shared")))
                .because("every feature writes to the audit log, so it may name none of them");
    }

    static ArchRule sharedNamesNoFeature(String base) {
        return noClasses().that().resideInAPackage(base + ".shared..")
                .should().dependOnClassesThat(ours(base).and(notIn(base, "shared", "protocol")))
                .because("shared sits under every feature");
    }

    static ArchRule lowFeaturesNeverReachHighOnes(String base) {
        return noClasses().that().resideInAnyPackage(base + ".users..", base + ".consoles..", base + ".workstations..")
                .should().dependOnClassesThat()
                .resideInAnyPackage(base + ".sessions..", base + ".requests..", base + ".rules..")
                .because("users, consoles and workstations fire events that sessions, requests and rules observe");
    }

    static ArchRule webDoesNoPersistence(String base) {
        return noClasses().that().resideInAPackage(base + ".web..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("jakarta.persistence..", "jakarta.transaction..", "io.quarkus.narayana..",
                        "org.hibernate..")
                .orShould(callPanache())
                .because("pages call services, which own transactions and persistence (STYLE: Habits 4)");
    }

    static ArchRule noCycles(String base) {
        return slices().matching(base + ".(*)..").namingSlices("$1")
                .should().beFreeOfCycles()
                .because("the whiteboard's arrows run one way");
    }

    /** Method names of Panache's active records and repositories: finders, persist, delete, count, ... */
    static final Set<String> PANACHE_METHODS = Stream.of(PanacheEntityBase.class, PanacheRepositoryBase.class)
            .flatMap(c -> Arrays.stream(c.getMethods()))
            .filter(m -> m.getDeclaringClass() != Object.class)
            .map(Method::getName)
            .collect(Collectors.toUnmodifiableSet());

    /** A call of a Panache method on an entity or repository: {@code User.findById(id)}, {@code user.persist()}. */
    static ArchCondition<JavaClass> callPanache() {
        return new ArchCondition<>("call a Panache finder or persist") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                // a condition reports where it holds; noClasses().should(...) turns those into the violations
                boolean calls = false;
                for (JavaMethodCall call : item.getMethodCallsFromSelf()) {
                    JavaClass owner = call.getTargetOwner();
                    boolean panache = owner.isAssignableTo(PanacheEntityBase.class)
                            || owner.isAssignableTo(PanacheRepositoryBase.class);
                    if (panache && PANACHE_METHODS.contains(call.getName())) {
                        events.add(SimpleConditionEvent.satisfied(call, call.getDescription()));
                        calls = true;
                    }
                }
                if (!calls) {
                    events.add(SimpleConditionEvent.violated(item, item.getName() + " calls no Panache method"));
                }
            }
        };
    }

    static DescribedPredicate<JavaClass> ours(String base) {
        return resideInAPackage(base + "..");
    }

    static DescribedPredicate<JavaClass> notIn(String base, String... allowed) {
        String[] packages = Arrays.stream(allowed).map(p -> base + "." + p + "..").toArray(String[]::new);
        return DescribedPredicate.not(resideInAnyPackage(packages));
    }
}
