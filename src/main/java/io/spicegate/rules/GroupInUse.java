package io.spicegate.rules;

import io.spicegate.shared.Problem;
import io.spicegate.users.GroupDeleting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses deleting a group that rules name as their subject (the rules would lose who they are for) or as their
 * approver group (who approves would change without a word).
 */
@ApplicationScoped
public class GroupInUse {

    void groupDeleting(@Observes GroupDeleting e) {
        long rules = Rule.count("subjectGroup.id = ?1", e.groupId());
        if (rules > 0) {
            throw Problem.conflict("Group " + e.name() + " is the subject of " + rules + " rule(s): delete or change them first.");
        }
        long approving = Rule.count("approverGroup.id = ?1", e.groupId());
        if (approving > 0) {
            throw Problem.conflict("Group " + e.name() + " approves requests for " + approving
                    + " rule(s): give those rules other approvers first.");
        }
    }
}
