package io.spicegate.web;

import io.spicegate.shared.Params;

import java.util.function.UnaryOperator;

/** Values typed into the pages' form fields, read the one way every page reads them. */
public final class FormFields {

    private FormFields() {
    }

    /**
     * A whole number typed in a form field (surrounding blanks ignored), or null when the field is empty; anything
     * else is a 400 with the sentence {@code problem} makes of the stripped text.
     */
    public static Integer wholeNumber(String raw, UnaryOperator<String> problem) {
        return Params.optional(raw, Integer::valueOf, problem);
    }
}
