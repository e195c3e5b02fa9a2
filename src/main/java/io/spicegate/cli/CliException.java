package io.spicegate.cli;

/**
 * A failure the command reports as one sentence on stderr, with its exit code: {@link #USAGE} (bad arguments, no
 * configuration), {@link #REFUSED} (the portal said no: any 4xx) or {@link #UNREACHABLE} (no answer, or a 5xx after
 * retries). The sentence never holds the token.
 */
public final class CliException extends RuntimeException {

    /** Bad arguments, or nothing configured to talk to. */
    public static final int USAGE = 2;
    /** The portal refused (4xx), or what it answered cannot be used. */
    public static final int REFUSED = 3;
    /** The portal cannot be reached, or keeps failing (5xx). */
    public static final int UNREACHABLE = 4;

    private final int exitCode;

    CliException(int exitCode, String sentence) {
        super(sentence, null, false, false);
        this.exitCode = exitCode;
    }

    static CliException usage(String sentence) {
        return new CliException(USAGE, sentence);
    }

    static CliException refused(String sentence) {
        return new CliException(REFUSED, sentence);
    }

    static CliException unreachable(String sentence) {
        return new CliException(UNREACHABLE, sentence);
    }

    /** The process's exit code for this failure. */
    public int exitCode() {
        return exitCode;
    }
}
