package io.spicegate.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the plain-Java clients of the portal (the agents and the {@code spicegate} command) reach it: one
 * {@link HttpClient} that never follows a redirect, with a connect time-out, and, given a CA file, trusting exactly
 * the certificates in it ({@link #trusting}). Each caller puts a bad CA file's reason in its own sentence.
 */
public final class PortalHttp {

    private PortalHttp() {
    }

    /** The largest CA file read: far above a bundle of every public CA (about 220 KiB), far below a stalled start. */
    public static final int MAX_CA_BYTES = 1024 * 1024;

    /**
     * The CA file cannot be trusted or used: its message says why, to follow the file's name, e.g. "is not a regular
     * file" or "can be changed by other users: run chmod go-w on it".
     */
    public static final class UnusableCa extends GeneralSecurityException {

        UnusableCa(String why) {
            super(why);
        }
    }

    /** A client that follows no redirect; {@code ca} null for the JDK's default trust. */
    public static HttpClient client(Duration connectTimeout, Path ca) throws UnusableCa {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (ca != null) {
            builder.sslContext(trusting(ca));
        }
        return builder.build();
    }

    /**
     * An SSL context that trusts exactly the certificates in the PEM file {@code ca}: a regular file of at most
     * {@link #MAX_CA_BYTES} that only its owner, root or the user running this, may change (whoever can change the
     * trusted CA can read every token sent to the portal). Never a FIFO or a device, which could block the start.
     */
    public static SSLContext trusting(Path ca) throws UnusableCa {
        byte[] pem = read(ca);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))) {
                store.setCertificateEntry("portal-ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new UnusableCa("holds no certificate: it should hold the PEM certificate of the portal's CA");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (UnusableCa e) {
            throw e;
        } catch (GeneralSecurityException | IOException e) {
            throw new UnusableCa("is not a PEM certificate file (it could not be read as one)");
        }
    }

    /** The file's bytes, after the checks above. */
    static byte[] read(Path ca) throws UnusableCa {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(ca, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new UnusableCa("does not exist");
        } catch (AccessDeniedException e) {
            throw new UnusableCa("cannot be read (permission denied)");
        } catch (IOException | UnsupportedOperationException e) {
            throw new UnusableCa("cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (!attributes.isRegularFile()) {
            throw new UnusableCa("is not a regular file: it should be the PEM file of the portal's CA");
        }
        if (attributes.size() > MAX_CA_BYTES) {
            throw new UnusableCa("is larger than " + MAX_CA_BYTES / 1024 / 1024 + " MiB: it should be the PEM file of the portal's CA");
        }
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UnusableCa("can be changed by other users (" + PosixFilePermissions.toString(permissions)
                    + "): run chmod go-w on it");
        }
        String owner = attributes.owner().getName();
        String me = System.getProperty("user.name");
        if (!owner.equals("root") && !owner.equals(me)) {
            throw new UnusableCa("belongs to " + owner + ", who could change it: use a copy that belongs to "
                    + ("root".equals(me) ? "root" : me + " or root"));
        }
        try (InputStream in = Files.newInputStream(ca)) {
            byte[] bytes = in.readNBytes(MAX_CA_BYTES + 1);
            if (bytes.length > MAX_CA_BYTES) {
                throw new UnusableCa("is larger than " + MAX_CA_BYTES / 1024 / 1024 + " MiB");
            }
            return bytes;
        } catch (IOException e) {
            throw new UnusableCa("cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
