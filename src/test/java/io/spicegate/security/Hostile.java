package io.spicegate.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The hostile values the fuzz tests send: strings (huge and empty, controls, Unicode tricks, markup, SQL, CRLF,
 * bad times, zones and dates, numbers at and past every limit) and raw JSON tokens (wrong types, 1e309, NaN,
 * truncated values). Drawn with a fixed seed, so a failure can be replayed.
 */
final class Hostile {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One value: how it is shown in a report, its raw JSON token, and its text for forms, queries and paths. */
    record Value(String label, String json, String text, boolean preEncoded) {
        /** A text value: JSON-quoted in bodies, as is elsewhere. */
        static Value text(String label, String s) {
            return new Value(label, quote(s), s, false);
        }

        /** A raw JSON token (invalid JSON on purpose in some cases); the same characters as text. */
        static Value token(String token) {
            return new Value(token, token, token, false);
        }

        /** Percent-encoding sent as is in a form body or query (malformed escapes, invalid UTF-8 bytes). */
        static Value encoded(String label, String encoded) {
            return new Value(label, quote(encoded), encoded, true);
        }
    }

    static final String MB10 = "A".repeat(10_000_000);
    static final String KB100 = "<".repeat(50_000) + "é".repeat(50_000);

    /** Sent to every field: the classes the brief names, each at least once. */
    static final List<Value> CORE = List.of(
            Value.text("empty", ""),
            Value.text("NUL", "\u0000"),
            Value.text("a NUL b", "sgfz\u0000x"),
            Value.text("100 kB", KB100),
            Value.text("<script>", "<script>window.__sgxss=1</script>"),
            Value.text("SQL drop", "'; DROP TABLE app_user; --"),
            Value.text("CRLF header", "x\r\nSet-Cookie: sgfz=1\r\n\r\n"),
            Value.text("lone surrogate", "\uD800"),
            Value.text("RTL override", "\u202Eexe.txt"),
            Value.text("path traversal", "../../../../etc/passwd"),
            Value.token("-1"), Value.token("0"), Value.token("2147483648"), Value.token("9223372036854775808"),
            Value.token("1e309"), Value.token("NaN"), Value.token("null"), Value.token("[]"), Value.token("{}"),
            Value.token("true"));

    /** The rest of the pool, sampled per field. */
    static final List<Value> POOL;

    static {
        List<Value> p = new ArrayList<>();
        String[][] texts = {
                {"space", " "}, {"tabs and newlines", "\t\n\r"}, {"C0 controls", "a\u0001\u0007\u001b[31mb"},
                {"DEL", "x\u007f"}, {"C1 controls", "x\u0085\u009b\u009f"}, {"%00 literal", "%00"},
                {"zero-width", "\u200B\u200C\u200D\uFEFFadmin"}, {"emoji", "😀🇩🇪👨‍👩‍👧"}, {"combining", "a\u0301\u0302\u0303"},
                {"homoglyph admin", "аdmin"}, {"fullwidth", "ｓｃｒｉｐｔ"}, {"lone low surrogate", "x\uDC00y"},
                {"reversed pair", "\uDC00\uD800"}, {"BOM", "\uFEFF"}, {"U+FFFF", "\uFFFF"}, {"RTL mark", "\u200F\u202Bab"},
                {"img onerror", "\"><img src=x onerror=\"window.__sgxss=2\">"}, {"svg onload", "<svg onload=window.__sgxss=3>"},
                {"javascript URL", "javascript:window.__sgxss=4"}, {"single quote break", "' onmouseover='window.__sgxss=5"},
                {"qute expression", "{user.password}"}, {"qute section", "{#include base}{/include}"},
                {"el expression", "${7*7}#{7*7}"}, {"jndi", "${jndi:ldap://127.0.0.1/a}"}, {"format string", "%s%n%x%d"},
                {"SQL or", "' OR '1'='1"}, {"SQL sleep", "1; select pg_sleep(5)"}, {"SQL comment", "admin'--"},
                {"LIKE wildcard", "%_%"}, {"backslash", "\\"}, {"backslash quote", "\\\"'"},
                {"url traversal", "..%2F..%2Fetc%2Fpasswd"}, {"windows path", "..\\..\\boot.ini"}, {"file URL", "file:///etc/shadow"},
                {"CRLF", "\r\n"}, {"LF only", "\n\n\n"}, {"header split", "a%0d%0aLocation:%20http://evil"},
                {"null word", "null"}, {"undefined", "undefined"}, {"NaN text", "NaN"}, {"Infinity text", "-Infinity"},
                {"-1 text", "-1"}, {"0 text", "0"}, {"2^31 text", "2147483648"}, {"2^63 text", "9223372036854775808"},
                {"1e309 text", "1e309"}, {"-0", "-0"}, {"hex", "0x10"}, {"arabic digit", "٣"}, {"fullwidth digits", "１２"},
                {"decimal", "1.5"}, {"huge minutes", "99999999999"}, {"true text", "true"},
                {"25:00", "25:00"}, {"24:00", "24:00"}, {"23:60", "23:60"}, {"8:00", "8:00"}, {"08:00:00", "08:00:00"},
                {"-01:00", "-01:00"}, {"Mars zone", "Mars/Olympus"}, {"UTC+99", "UTC+99"}, {"+99:00", "+99:00"},
                {"zone with NUL", "Europe/Berlin\u0000"}, {"lowercase zone", "europe/berlin"}, {"zone traversal", "../../UTC"},
                {"2026-02-30", "2026-02-30"}, {"2026-13-01", "2026-13-01"}, {"year 0", "0000-01-01"},
                {"year +999999999", "+999999999-12-31T23:59:59Z"}, {"year -999999999", "-999999999-01-01T00:00:00Z"},
                {"year 294277", "+294277-01-01T00:00:00Z"}, {"T25:00", "2026-11-23T25:00"}, {"local 9999", "9999-12-31T23:59"},
                {"epoch", "1970-01-01T00:00:00Z"}, {"no zone instant", "2026-11-23T18:00:00"}, {"leap second", "2026-06-30T23:59:60Z"},
                {"FUNDAY", "FUNDAY"}, {"monday lower", "monday"}, {"MONDAY NUL", "MONDAY\u0000"}, {"day 8", "8"},
                {"uuid nil", "00000000-0000-0000-0000-000000000000"}, {"uuid-ish", "0f8c2a1e-zzzz-4b2e-9f1a-1234567890ab"},
                {"256 x", "x".repeat(256)}, {"65 a", "a".repeat(65)}, {"1000 é", "é".repeat(1000)},
                {"501 chars", "r".repeat(501)}, {"IPv6 garbage", ":::::"}, {"CIDR /99", "10.0.0.1/99"}, {"IP 999", "999.1.1.1"},
                {"IPv4 mapped", "::ffff:127.0.0.1"}, {"domain 300", ("a".repeat(60) + ".").repeat(5)},
                {"email no at", "sgfz.example.org"}, {"email two at", "a@b@c"}, {"PEM garbage", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"},
                {"role god", "god"}, {"ADMIN upper", "ADMIN"}, {"effect maybe", "MAYBE"}, {"uppercase name", "SGFZ"},
                {"name with space", "sgfz x"}, {"name with slash", "sgfz/x"}, {"unicode name", "sgfzé"}, {"dot name", ".."},
        };
        for (String[] t : texts) {
            p.add(Value.text(t[0], t[1]));
        }
        for (String token : new String[]{"-0", "1.5", "-2147483649", "99999999999999999999999", "-1e309", "Infinity", "1e-400",
                "\"\"", "[null]", "[1,2]", "[[]]", "{\"a\":1}", "[\"\\u0000\"]", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"",
                "false", "\"\\u202e\"", "0x10", "01", "+1", ".5", "\"a\"\"b\"", "\"unterminated"}) {
            p.add(Value.token(token));
        }
        p.add(Value.encoded("bad %", "%"));
        p.add(Value.encoded("bad %zz", "%zz"));
        p.add(Value.encoded("invalid UTF-8 %FF%FE", "%FF%FE"));
        p.add(Value.encoded("CESU surrogate %ED%A0%80", "%ED%A0%80"));
        p.add(Value.encoded("overlong %C0%AF", "%C0%AF"));
        p.add(Value.encoded("%00 encoded", "%00"));
        POOL = List.copyOf(p);
    }

    /** Fewer values, for fields where an accepted value costs a bcrypt hash (user creation, passwords, login). */
    static final List<Value> SMALL = List.of(CORE.get(1), CORE.get(3), CORE.get(4), CORE.get(0), CORE.get(7), CORE.get(13),
            CORE.get(19));

    /** The values one field gets: the core set and {@code sample} drawn from the pool ({@link #SMALL} when negative). */
    static List<Value> forField(Random random, int sample) {
        if (sample < 0) {
            return SMALL;
        }
        List<Value> pool = new ArrayList<>(POOL);
        Collections.shuffle(pool, random);
        List<Value> out = new ArrayList<>(CORE);
        out.addAll(pool.subList(0, Math.min(sample, pool.size())));
        return out;
    }

    /** Whole-body mutations of a JSON call (given its valid body): not JSON, wrong shape, broken bytes. */
    static Map<String, byte[]> rawBodies(String valid) {
        Map<String, byte[]> b = new LinkedHashMap<>();
        b.put("empty body", new byte[0]);
        b.put("null", bytes("null"));
        b.put("array", bytes("[" + valid + "]"));
        b.put("string", bytes("\"" + valid.replace("\"", "'") + "\""));
        b.put("number", bytes("42"));
        b.put("truncated", bytes(valid.substring(0, valid.length() / 2)));
        b.put("only brace", bytes("{"));
        b.put("trailing garbage", bytes(valid + "}}]"));
        b.put("two objects", bytes(valid + valid));
        b.put("duplicated keys", bytes(valid.replaceFirst("\\{", "{\"zz\":1,\"zz\":[],")));
        b.put("unknown field", bytes(valid.replaceFirst("\\{", "{\"sgfzUnknown\":\"<script>\",")));
        b.put("comments", bytes("/* x */" + valid));
        b.put("single quotes", bytes(valid.replace('"', '\'')));
        b.put("deep nesting", bytes("[".repeat(5000) + "]".repeat(5000)));
        b.put("BOM", concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes(valid)));
        b.put("invalid UTF-8", concat(bytes(valid.substring(0, valid.length() - 1) + ",\"zz\":\""), new byte[]{(byte) 0xFF, (byte) 0xC3, 0x28, '"', '}'}));
        b.put("CESU lone surrogate", concat(bytes(valid.substring(0, valid.length() - 1) + ",\"zz\":\""), new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}));
        b.put("raw NUL byte", concat(bytes(valid.substring(0, 1)), new byte[]{0}, bytes(valid.substring(1))));
        b.put("UTF-16", valid.getBytes(java.nio.charset.StandardCharsets.UTF_16));
        return b;
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    /** A value as shown in a report: its label and a short escaped excerpt. */
    static String excerpt(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 60; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 60 ? b + "…(" + s.length() + " chars)" : b.toString();
    }
}
