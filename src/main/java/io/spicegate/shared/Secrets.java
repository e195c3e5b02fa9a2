package io.spicegate.shared;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random tokens and their hashes. Tokens (login cookies, CSRF, enrollment tokens, agent secrets) are 256 random
 * bits, so a plain SHA-256 is all the storage needs: nothing to guess, nothing to brute-force.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** 256 random bits, URL-safe base64, with an optional prefix saying what it is ("sgw_", "sga_"). */
    public static String token(String prefix) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** 128 random bits as hex. */
    public static String nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * The secret under a fresh one-time pad: base64url(pad || pad XOR secret). Every response that carries a secret
     * this way shows different bytes, so a compressed page that also reflects an attacker's text leaks nothing about
     * it through its length (BREACH).
     */
    public static String masked(String secret) {
        byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[raw.length * 2];
        byte[] pad = new byte[raw.length];
        RANDOM.nextBytes(pad);
        for (int i = 0; i < raw.length; i++) {
            out[i] = pad[i];
            out[raw.length + i] = (byte) (pad[i] ^ raw[i]);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** True when {@code masked} is {@code secret} under any pad, as made by {@link #masked}; compared in constant time. */
    public static boolean unmasks(String masked, String secret) {
        if (masked == null || secret == null) {
            return false;
        }
        byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
        byte[] in;
        try {
            in = Base64.getUrlDecoder().decode(masked.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (in.length != raw.length * 2) {
            return false;
        }
        byte[] plain = new byte[raw.length];
        for (int i = 0; i < raw.length; i++) {
            plain[i] = (byte) (in[i] ^ in[raw.length + i]);
        }
        return MessageDigest.isEqual(plain, raw);
    }

    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
