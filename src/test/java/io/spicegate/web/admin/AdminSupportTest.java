package io.spicegate.web.admin;

import io.spicegate.shared.Problem;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** The admin pages' form helpers: the action's answer, the form again on a 400/409, any other problem passed on. */
class AdminSupportTest {

    @Test
    void theActionsAnswerIsTheResponse() {
        Response r = AdminSupport.submit(() -> AdminSupport.seeOther("/admin/users?saved=anne"), error -> fail("no form"));
        assertEquals(303, r.getStatus());
        assertEquals("/admin/users?saved=anne", r.getLocation().toString());
    }

    @Test
    void aValidationProblemShowsTheFormAgainWithTheSentenceAndItsStatus() {
        for (Problem p : List.of(Problem.badRequest("Bad name."), Problem.conflict("In use."))) {
            List<String> shown = new ArrayList<>();
            Response r = AdminSupport.submit(() -> {
                throw p;
            }, error -> {
                shown.add(error);
                return null;
            });
            assertEquals(p.status(), r.getStatus());
            assertEquals(List.of(p.getMessage()), shown);
        }
    }

    @Test
    void anyOtherProblemIsAnErrorPageNotTheForm() {
        Problem p = assertThrows(Problem.class, () -> AdminSupport.submit(() -> {
            throw Problem.notFound("There is no user 7.");
        }, error -> fail("no form for a 404")));
        assertEquals(404, p.status());
    }

    @Test
    void fieldsKeepTheirOrderAndTheQueryLeavesOutEmptyOnes() {
        assertEquals("user=anne&to=2026-11-23", AdminSupport.query(AdminSupport.fields("user", "anne", "console", "",
                "workstation", null, "to", "2026-11-23")));
    }

    @Test
    void aListNoticeNamesTheFirstActionGivenElseSaved() {
        assertEquals("Deleted group g1.", AdminSupport.notice("group", "Deleted", "g1", "g2"));
        assertEquals("Saved group g2.", AdminSupport.notice("group", "Deleted", null, "g2"));
        assertNull(AdminSupport.notice("group", "Deleted", null, null));
        assertNull(AdminSupport.notice("group", "Deleted", "<b>", null), "free text from a link is never echoed");
    }
}
