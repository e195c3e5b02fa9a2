package io.spicegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The commands, each one or a few calls of {@code /api/v1}: what they print on stdout is the result, a table or
 * the API's JSON as it came ({@code --json}).
 */
final class Commands {

    static final Pattern SESSION_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    static final int DEFAULT_EXTEND_MINUTES = 30;

    private final Terminal t;
    private final ObjectMapper mapper = new ObjectMapper();
    private PortalApi api;

    Commands(Terminal t) {
        this.t = t;
    }

    /** Runs {@code command} with its arguments; returns the exit code. */
    int run(String command, List<String> args) {
        switch (command) {
            case "login" -> {
                Args.parse("login", "login", args, Set.of(), Set.of(), 0);
                return login();
            }
            case "consoles" -> {
                return consoles(Args.parse("consoles", "consoles [--json]", args, Set.of(), Set.of("json"), 0));
            }
            case "sessions" -> {
                return sessions(Args.parse("sessions", "sessions [--json]", args, Set.of(), Set.of("json"), 0));
            }
            case "open" -> {
                Args a = Args.parse("open", "open <console> [--minutes N] [--vv-out FILE]", args,
                        Set.of("minutes", "vv-out"), Set.of(), 1);
                return new Opener(t, this::api).open(a.word(0), a.minutes("minutes", null), a.option("vv-out"));
            }
            case "end" -> {
                return end(Args.parse("end", "end <console|id>", args, Set.of(), Set.of(), 1));
            }
            case "extend" -> {
                return extend(Args.parse("extend", "extend <console|id> [--minutes N]", args, Set.of("minutes"), Set.of(), 1));
            }
            case "request" -> {
                return request(Args.parse("request", "request <console> --at TIME --minutes N --reason TEXT", args,
                        Set.of("at", "minutes", "reason"), Set.of(), 1));
            }
            default -> throw CliException.usage("There is no command '" + Main.printable(command, 40)
                    + "': run spicegate --help for the list.");
        }
    }

    /** The portal client of this run, from the settings (exit 2 when there are none). */
    PortalApi api() {
        if (api == null) {
            api = new PortalApi(CliConfig.load(t), mapper);
        }
        return api;
    }

    private TimeText times() {
        return new TimeText(t.clock().instant(), t.zone());
    }

    int login() {
        Path file = CliConfig.file(t);
        Properties old = new Properties();
        if (Files.exists(file)) {
            try {
                old = CliConfig.readPrivate(file);
            } catch (CliException e) {
                // replaced below by a private file
            }
        }
        String suggested = t.env("SPICEGATE_URL") != null ? t.env("SPICEGATE_URL") : old.getProperty("url");
        String typed = prompt("Portal URL" + (suggested == null ? "" : " [" + suggested + "]") + ": ", false);
        String url = typed == null || typed.isBlank() ? suggested : typed.strip();
        if (url == null) {
            throw CliException.usage("login needs the portal's URL, e.g. https://spicegate.example.org.");
        }
        String token = prompt("Personal API token (make one on My account; it starts with sgp_): ", true);
        if (token == null || token.isBlank()) {
            throw CliException.usage("login needs a personal API token: make one on My account in the portal.");
        }
        // the old file's CA is kept only as an absolute path (a relative one there is refused: set SPICEGATE_CA)
        String oldCa = old.getProperty("ca");
        Path ca = t.env("SPICEGATE_CA") != null ? CliConfig.ca(t.env("SPICEGATE_CA"), null)
                : oldCa != null && oldCa.strip().startsWith("/") ? CliConfig.ca(oldCa, file) : null;
        CliConfig config = new CliConfig(CliConfig.url(url, "what you typed"), CliConfig.token(token), ca);
        JsonNode consoles = new PortalApi(config, mapper).get("/api/v1/consoles");
        if (!consoles.isArray()) {
            throw CliException.refused("The answer from " + config.url() + " is not the portal's list of consoles: is that "
                    + "the Spicegate portal's address?");
        }
        try {
            config.save(file);
        } catch (IOException e) {
            throw CliException.usage("Cannot write " + file + ": " + Main.reason(e) + ".");
        }
        t.out().println("Logged in to " + config.url() + " (" + consoles.size() + " console(s)); saved to " + file + " (0600).");
        return 0;
    }

    /** Asks on stderr (or the console) and reads a line; a secret is read without echo when there is a console. */
    private String prompt(String question, boolean secret) {
        if (t.console() != null) {
            if (secret) {
                char[] typed = t.console().readPassword("%s", question);
                return typed == null ? null : new String(typed);
            }
            return t.console().readLine("%s", question);
        }
        t.err().print(question);
        t.err().flush();
        try {
            return t.in().readLine();
        } catch (IOException e) {
            throw CliException.usage("Cannot read from stdin: " + Main.reason(e) + ".");
        }
    }

    int consoles(Args a) {
        return list("/api/v1/consoles", a, Commands::consolesTable);
    }

    /** A list call: the API's JSON as it came with {@code --json}, else the table {@code table} makes of it. */
    private int list(String path, Args a, java.util.function.BiFunction<JsonNode, TimeText, String> table) {
        String json = api().getText(path);
        t.out().print(a.flag("json") ? json.strip() + "\n" : table.apply(parse(json), times()));
        return 0;
    }

    /** My consoles as a table: the same facts as the My consoles page. */
    static String consolesTable(JsonNode consoles, TimeText times) {
        Table table = new Table("CONSOLE", "NOW", "UNTIL", "NEXT WINDOW", "IN USE");
        for (JsonNode c : consoles) {
            String decision = text(c, "decision");
            String now = decision == null ? null : switch (decision) {
                case "ALLOWED" -> "allowed";
                case "NEEDS_APPROVAL" -> "ask an approver";
                case "DENIED" -> "denied";
                default -> decision.toLowerCase();
            };
            String inUse = text(c, "inUseBy") == null ? null
                    : text(c, "inUseBy") + (instant(c, "inUseUntil") == null ? "" : " until " + times.at(instant(c, "inUseUntil")));
            table.row(text(c, "name"), now, "ALLOWED".equals(decision) ? times.atRelative(instant(c, "until")) : null,
                    times.atRelative(instant(c, "nextWindowStart")), inUse);
        }
        return table.isEmpty() ? "You have no consoles yet: ask your administrator for access.\n" : table.render();
    }

    int sessions(Args a) {
        return list("/api/v1/sessions", a, Commands::sessionsTable);
    }

    /** My sessions as a table, newest first as the portal lists them. */
    static String sessionsTable(JsonNode sessions, TimeText times) {
        Table table = new Table("CONSOLE", "STATE", "WORKSTATION", "ENDS", "ID");
        for (JsonNode s : sessions) {
            String state = text(s, "state");
            Instant ends = instant(s, "endsAt");
            table.row(text(s, "console"), state == null ? null : state.toLowerCase(), text(s, "workstation"),
                    "ACTIVE".equals(state) ? times.atRelative(ends) : times.at(ends), text(s, "id"));
        }
        return table.isEmpty() ? "You have no sessions.\n" : table.render();
    }

    int end(Args a) {
        JsonNode session = api().delete("/api/v1/sessions/" + sessionId(a.word(0)));
        t.out().println("Ended your session on " + text(session, "console") + " (" + text(session, "id") + ").");
        return 0;
    }

    int extend(Args a) {
        int minutes = a.minutes("minutes", DEFAULT_EXTEND_MINUTES);
        JsonNode session = api().post("/api/v1/sessions/" + sessionId(a.word(0)) + "/extend", Map.of("minutes", minutes));
        t.out().println(text(session, "console") + " now ends at " + times().atRelative(instant(session, "endsAt")) + ".");
        return 0;
    }

    int request(Args a) {
        Instant start = at(a.required("at"));
        Integer minutes = a.minutes("minutes", null);
        if (minutes == null) {
            throw a.usage("--minutes is required");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("console", a.word(0));
        body.put("start", start.toString());
        body.put("minutes", minutes);
        body.put("reason", a.required("reason"));
        JsonNode request = api().post("/api/v1/requests", body);
        t.out().println("Asked for " + text(request, "console") + " from " + times().at(instant(request, "start")) + " for "
                + request.path("minutes").asInt(minutes) + " min (request " + text(request, "id") + ", "
                + String.valueOf(text(request, "state")).toLowerCase() + "); an approver answers on the portal.");
        return 0;
    }

    /** {@code --at}: an ISO instant or offset date-time, or a local date-time in this terminal's zone. */
    Instant at(String text) {
        String s = text.strip().replace(' ', 'T');
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDateTime.parse(s).atZone(t.zone()).toInstant();
        } catch (DateTimeParseException e) {
            throw CliException.usage("request: --at takes an ISO instant (2026-12-03T17:00:00Z) or a local date-time "
                    + "(2026-12-03T18:00), not '" + Main.printable(text, 40) + "'.");
        }
    }

    /**
     * A session named by its id, or by a console: my one ACTIVE session on it (refused when there is none, or when
     * there are several, listing their ids).
     */
    String sessionId(String consoleOrId) {
        if (SESSION_ID.matcher(consoleOrId).matches()) {
            return consoleOrId.toLowerCase();
        }
        List<JsonNode> active = new ArrayList<>();
        for (JsonNode s : api().get("/api/v1/sessions")) {
            if (consoleOrId.equals(text(s, "console")) && "ACTIVE".equals(text(s, "state"))) {
                active.add(s);
            }
        }
        if (active.isEmpty()) {
            throw CliException.refused("You have no active session on " + Main.printable(consoleOrId, 64)
                    + ": spicegate sessions lists yours.");
        }
        if (active.size() > 1) {
            List<String> ids = active.stream().map(s -> text(s, "id") + " (on " + text(s, "workstation") + ")").toList();
            throw CliException.refused("You have " + active.size() + " active sessions on " + consoleOrId + ": "
                    + String.join(", ", ids) + "; name one by its id.");
        }
        return text(active.get(0), "id");
    }

    private JsonNode parse(String json) {
        return api().parse(json);
    }

    /** A text field, or null when absent or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** An ISO-8601 instant field, or null. */
    static Instant instant(JsonNode node, String field) {
        String v = text(node, field);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
