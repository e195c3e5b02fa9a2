package io.spicegate.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One command's arguments: its positional words and its options, {@code --name value} or {@code --name=value}, and
 * flags such as {@code --json}. Anything the command does not know is a usage error (exit 2) naming it.
 */
final class Args {

    private final String command;
    private final String synopsis;
    private final List<String> words = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    private Args(String command, String synopsis) {
        this.command = command;
        this.synopsis = synopsis;
    }

    /**
     * Parses {@code args} (after the command's name): {@code valued} options take a value, {@code flags} do not;
     * {@code words} positional words are expected exactly.
     */
    static Args parse(String command, String synopsis, List<String> args, Set<String> valued, Set<String> flags, int words) {
        Args parsed = new Args(command, synopsis);
        boolean onlyWords = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!onlyWords && arg.equals("--")) {
                onlyWords = true;
            } else if (!onlyWords && arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
                if (flags.contains(name) && eq < 0) {
                    parsed.put(name, "true");
                } else if (valued.contains(name)) {
                    if (eq >= 0) {
                        parsed.put(name, arg.substring(eq + 1));
                    } else if (i + 1 < args.size()) {
                        parsed.put(name, args.get(++i));
                    } else {
                        throw parsed.usage("--" + name + " needs a value");
                    }
                } else {
                    throw parsed.usage("unknown option '" + Main.printable(arg, 40) + "'");
                }
            } else if (!onlyWords && arg.startsWith("-") && arg.length() > 1) {
                throw parsed.usage("unknown option '" + Main.printable(arg, 40) + "'");
            } else {
                parsed.words.add(arg);
            }
        }
        if (parsed.words.size() != words) {
            throw parsed.usage(parsed.words.size() < words ? "missing " + firstWord(synopsis)
                    : "unexpected argument '" + Main.printable(parsed.words.get(words), 40) + "'");
        }
        return parsed;
    }

    /** The first {@code <word>} of a synopsis, what a bare command lacks. */
    private static String firstWord(String synopsis) {
        int open = synopsis.indexOf('<');
        int close = synopsis.indexOf('>', open);
        return open < 0 || close < 0 ? "an argument" : synopsis.substring(open, close + 1);
    }

    private void put(String name, String value) {
        if (options.put(name, value) != null) {
            throw usage("--" + name + " is given twice");
        }
    }

    /** The positional word at {@code index}. */
    String word(int index) {
        return words.get(index);
    }

    /** Whether a flag was given. */
    boolean flag(String name) {
        return options.containsKey(name);
    }

    /** An option's value, or null. */
    String option(String name) {
        return options.get(name);
    }

    /** An option's value, required: exit 2 without it. */
    String required(String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw usage("--" + name + " is required");
        }
        return value;
    }

    /** A whole number of minutes from 1 to 10080 (a week), or {@code fallback} when the option is absent. */
    Integer minutes(String name, Integer fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= 10080) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw usage("--" + name + " takes whole minutes from 1 to 10080, not '" + Main.printable(value, 20) + "'");
    }

    /** A usage error: what was wrong, then the command's synopsis. */
    CliException usage(String what) {
        return CliException.usage(command + ": " + what + "; usage: spicegate " + synopsis + ".");
    }
}
