package dev.wecompipeline.kafka.embedded;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * Listeners of the embedded broker that secured clusters have, besides its plain loopback one: SASL
 * with SCRAM-SHA-512 ({@code SASL_PLAINTEXT}) and TLS ({@code SSL}, optionally requiring a client
 * certificate), with an ACL authorizer when asked. The plain listener stays for the broker's own
 * controller traffic and is where SCRAM users are created.
 *
 * <pre>{@code
 * SecureListeners secure = SecureListeners.NONE
 *         .withScram(0, Map.of("wecom", password))
 *         .withTls(0, TlsStores.inDirectory(dir, "127.0.0.1"), true)
 *         .withAuthorizer(Set.of("User:wecom", TlsStores.CLIENT_PRINCIPAL));
 * new EmbeddedKafkaBroker(logDir, 0).withSecureListeners(secure).start();
 * }</pre>
 *
 * @param saslPort          port of the SCRAM listener; 0 for none
 * @param scramUsers        SCRAM-SHA-512 users to create, name to password
 * @param tlsPort           port of the TLS listener; 0 for none
 * @param tls               stores for the TLS listener
 * @param requireClientCert whether the TLS listener requires a client certificate (mutual TLS)
 * @param superUsers        principals allowed everything when the authorizer is on; {@code null}: no authorizer
 */
public record SecureListeners(int saslPort, Map<String, String> scramUsers, int tlsPort, TlsStores tls,
                              boolean requireClientCert, Set<String> superUsers) {

    public static final SecureListeners NONE = new SecureListeners(0, Map.of(), 0, null, false, null);
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    static final String SASL_LISTENER = "SASL";
    static final String TLS_LISTENER = "SSL";

    public SecureListeners {
        scramUsers = Map.copyOf(scramUsers);
        superUsers = superUsers == null ? null : Set.copyOf(superUsers);
    }

    /** With a SCRAM-SHA-512 listener on {@code port} (0: a free one, fixed from now on) and these users. */
    public SecureListeners withScram(int port, Map<String, String> users) {
        return new SecureListeners(port == 0 ? EmbeddedKafkaBroker.freePort() : port, users, tlsPort, tls,
                requireClientCert, superUsers);
    }

    /** With a TLS listener on {@code port} (0: a free one) serving {@code stores}. */
    public SecureListeners withTls(int port, TlsStores stores, boolean requireClientCertificate) {
        return new SecureListeners(saslPort, scramUsers, port == 0 ? EmbeddedKafkaBroker.freePort() : port, stores, requireClientCertificate,
                superUsers);
    }

    /**
     * With Kafka's ACL authorizer: only {@code principals} (and the broker itself on its plain
     * listener) may do anything without an ACL, so a missing ACL shows as it would on a real cluster.
     */
    public SecureListeners withAuthorizer(Set<String> principals) {
        return new SecureListeners(saslPort, scramUsers, tlsPort, tls, requireClientCert, principals);
    }

    public boolean isEmpty() {
        return saslPort == 0 && tlsPort == 0;
    }

    /** What a SCRAM client sets, besides {@code bootstrap.servers}. */
    public static Map<String, String> scramClientProperties(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", SCRAM_MECHANISM);
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        return p;
    }

    /** Adds the listeners to the broker's {@code listeners}, {@code advertised.listeners} and protocol map. */
    void addTo(Properties p, String host) {
        if (isEmpty()) {
            return;
        }
        List<String> listeners = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        if (saslPort != 0) {
            listeners.add(SASL_LISTENER + "://" + host + ":" + saslPort);
            protocols.add(SASL_LISTENER + ":SASL_PLAINTEXT");
            p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
            // The broker checks SCRAM clients against the credentials stored in the cluster metadata.
            p.put("listener.name.sasl.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        if (tlsPort != 0) {
            listeners.add(TLS_LISTENER + "://" + host + ":" + tlsPort);
            protocols.add(TLS_LISTENER + ":SSL");
            String prefix = "listener.name.ssl.";
            p.put(prefix + "ssl.keystore.location", tls.brokerKeystore().toString());
            p.put(prefix + "ssl.keystore.password", tls.password());
            p.put(prefix + "ssl.keystore.type", "PKCS12");
            p.put(prefix + "ssl.key.password", tls.password());
            p.put(prefix + "ssl.truststore.location", tls.brokerTruststore().toString());
            p.put(prefix + "ssl.truststore.password", tls.password());
            p.put(prefix + "ssl.truststore.type", "PKCS12");
            p.put(prefix + "ssl.client.auth", requireClientCert ? "required" : "none");
        }
        String joined = String.join(",", listeners);
        p.put("listeners", p.getProperty("listeners") + "," + joined);
        p.put("advertised.listeners", p.getProperty("advertised.listeners") + "," + joined);
        p.put("listener.security.protocol.map", p.getProperty("listener.security.protocol.map") + ","
                + String.join(",", protocols));
        if (superUsers != null) {
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            // The broker and controller talk over the plain loopback listener as ANONYMOUS.
            Set<String> all = new LinkedHashSet<>(List.of("User:ANONYMOUS"));
            all.addAll(superUsers);
            p.put("super.users", String.join(";", all));
        }
    }

    /** Creates the SCRAM users through the plain listener at {@code plainBootstrap}. */
    void createUsers(String plainBootstrap) {
        if (scramUsers.isEmpty()) {
            return;
        }
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        scramUsers.forEach((user, password) -> upserts.add(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plainBootstrap))) {
            admin.alterUserScramCredentials(upserts).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create SCRAM users " + scramUsers.keySet() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        // Never the passwords.
        return "SecureListeners[sasl=" + saslPort + " users=" + scramUsers.keySet() + ", tls=" + tlsPort
                + (requireClientCert ? " (client certificate required)" : "") + ", superUsers=" + superUsers + "]";
    }
}
