package io.spicegate.shared;

/** The JSON error body of every 4xx/5xx answer of the API: one sentence a person can act on. */
public record ErrorBody(String error) {
}
