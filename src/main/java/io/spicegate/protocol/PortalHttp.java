package io.spicegate.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the plain-Java clients of the portal (the agents and the {@code spicegate} command) reach it: one
 * {@link HttpClient} that never follows a redirect, with a connect time-out, and, given a CA file, trusting exactly
 * the certificates in it. Each caller says in its own words what a bad CA file means for its user.
 */
public final class PortalHttp {

    private PortalHttp() {
    }

    /** The CA file was read but holds no certificate. */
    public static final class NoCertificate extends GeneralSecurityException {

        NoCertificate(Path ca) {
            super(ca + " holds no certificate");
        }
    }

    /** A client that follows no redirect; {@code ca} null for the JDK's default trust. */
    public static HttpClient client(Duration connectTimeout, Path ca) throws IOException, GeneralSecurityException {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (ca != null) {
            builder.sslContext(trusting(ca));
        }
        return builder.build();
    }

    /** An SSL context that trusts exactly the certificates in the PEM file {@code ca}. */
    public static SSLContext trusting(Path ca) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(ca)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("portal-ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new NoCertificate(ca);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        }
    }
}
