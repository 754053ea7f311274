package dev.wecompipeline.kafka;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Why a secured cluster turned a client away, told apart the way an operator fixes it: the
 * credentials (authentication), the ACLs (authorisation, naming the one missing), or TLS (trust,
 * hostname, client certificate). Each is permanent: retrying only fills the log, so start-up fails
 * with {@link #oneLine()} and {@code doctor} prints {@link #fix()}.
 *
 * @param kind   which of the three
 * @param detail what Kafka said, never a credential (Kafka's messages carry none)
 * @param fix    what to change
 */
public record KafkaAccessFailure(Kind kind, String detail, String fix) {

    public enum Kind {
        AUTHENTICATION("authentication failed"),
        AUTHORIZATION("not authorised"),
        TLS("TLS handshake failed");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final Pattern JAAS_USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    /** The access failure somewhere in {@code error}'s causes, if there is one. */
    public static Optional<KafkaAccessFailure> of(Throwable error, KafkaConnection kafka) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SslAuthenticationException) {
                return Optional.of(new KafkaAccessFailure(Kind.TLS, rootMessage(t),
                        "check ssl.truststore.location/password (it must trust the brokers' CA), that the brokers' "
                                + "certificate names the host in " + "KAFKA_BOOTSTRAP_SERVERS, and for mTLS "
                                + "ssl.keystore.location/password (a certificate the brokers trust)"));
            }
            if (t instanceof AuthenticationException) {
                return Optional.of(new KafkaAccessFailure(Kind.AUTHENTICATION, rootMessage(t),
                        "check the user name and password in sasl.jaas.config"
                                + kafka.properties().get("sasl.mechanism").map(m -> " and that the cluster offers " + m)
                                .orElse(" and sasl.mechanism")
                                + " (KAFKA_PROPERTIES_SASL_JAAS_CONFIG / kafka.properties)"));
            }
            if (t instanceof AuthorizationException) {
                return Optional.of(new KafkaAccessFailure(Kind.AUTHORIZATION, t.getMessage(), aclFix(t, kafka)));
            }
        }
        return Optional.empty();
    }

    /** One line for start-up: what failed, where, and the fix. */
    public String oneLine(KafkaConnection kafka) {
        return "Kafka at " + kafka.bootstrapServers() + ": " + kind.label() + " (" + detail + "); " + fix;
    }

    private static String aclFix(Throwable t, KafkaConnection kafka) {
        String principal = principal(kafka);
        String grant = "kafka-acls.sh --bootstrap-server ... --add --allow-principal " + principal;
        if (t instanceof TopicAuthorizationException topics) {
            return "grant " + principal + " Describe, Read, Write (and Create, or pre-create with `topics`) on "
                    + (topics.unauthorizedTopics().isEmpty() ? "the pipeline's topics" : topics.unauthorizedTopics())
                    + ": " + grant + " --operation Describe --operation Read --operation Write --operation Create"
                    + " --topic wecom. --resource-pattern-type prefixed";
        }
        if (t instanceof GroupAuthorizationException group) {
            return "grant " + principal + " Read on group " + (group.groupId() == null ? "(the consumer group)" : group.groupId())
                    + ": " + grant + " --operation Read --group " + (group.groupId() == null ? "wecom-" : group.groupId());
        }
        if (t instanceof TransactionalIdAuthorizationException) {
            return "grant " + principal + " Write and Describe on the transactional ids wecom-worker-* and wecom-reply-*: "
                    + grant + " --operation Write --operation Describe --transactional-id wecom- --resource-pattern-type prefixed";
        }
        if (t instanceof ClusterAuthorizationException) {
            return "grant " + principal + " the cluster operation named above (IdempotentWrite for producers on old "
                    + "brokers, DescribeConfigs for doctor): " + grant + " --operation IdempotentWrite --cluster";
        }
        return "grant " + principal + " the ACL named above (see the README's Production Kafka section for the full list)";
    }

    /** The principal the cluster sees, as far as the client can tell, for the ACL command. */
    private static String principal(KafkaConnection kafka) {
        Optional<String> jaas = kafka.properties().get("sasl.jaas.config");
        if (jaas.isPresent()) {
            Matcher m = JAAS_USERNAME.matcher(jaas.get());
            if (m.find()) {
                return "User:" + m.group(1);
            }
        }
        return kafka.properties().securityProtocol().equals("SSL")
                ? "User:<the client certificate's subject, e.g. CN=...>" : "User:<the pipeline's principal>";
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return root == t || root.getMessage() == null ? message : message + ": " + root.getMessage();
    }
}
