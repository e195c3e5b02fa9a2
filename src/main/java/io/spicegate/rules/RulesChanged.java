package io.spicegate.rules;

/**
 * The rules version moved on some replica ({@code pg_notify('spicegate_rules', <stamp>)}, sent by the database's
 * own triggers at commit; see V17__rules_version.sql), or notifications may have been missed ({@code stamp}
 * null): compiled rule sets of any other stamp can go. A wake-up only: readers still compare with the database.
 */
public record RulesChanged(String stamp) {

    public static final String CHANNEL = "spicegate_rules";
}
