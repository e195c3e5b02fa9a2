package io.spicegate.rules;

/**
 * The rules version moved on some replica ({@code pg_notify('spicegate_rules', <version>)}, sent by the database's
 * own triggers at commit; see V17__rules_version.sql), or notifications may have been missed ({@code version}
 * null): compiled rule sets older than it can go. A wake-up only: readers still compare with the database.
 */
public record RulesChanged(Long version) {

    public static final String CHANNEL = "spicegate_rules";
}
