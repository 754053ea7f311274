package dev.wecompipeline.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed key and trust stores for a TLS listener of the embedded broker and for its clients,
 * made with the JDK's {@code keytool} (PKCS12, EC P-256). The broker trusts the client's certificate
 * and the client trusts the broker's, so the same files serve TLS and mutual TLS.
 *
 * <p>The stores' password is random, kept in {@code store-password} (owner-only) beside them, and
 * handed to {@code keytool} through its environment, never its command line.
 *
 * @param brokerKeystore   the broker's key and certificate (subject {@value #BROKER_SUBJECT})
 * @param brokerTruststore what the broker trusts: the client's certificate
 * @param clientKeystore   the client's key and certificate (subject {@value #CLIENT_SUBJECT})
 * @param clientTruststore what clients trust: the broker's certificate
 * @param password         of all four stores and their keys
 */
public record TlsStores(Path brokerKeystore, Path brokerTruststore, Path clientKeystore, Path clientTruststore,
                        String password) {

    public static final String BROKER_SUBJECT = "CN=wecom-pipeline-broker";
    public static final String CLIENT_SUBJECT = "CN=wecom-pipeline-client";
    /** The principal a client presenting {@link #clientKeystore} has on the broker. */
    public static final String CLIENT_PRINCIPAL = "User:" + CLIENT_SUBJECT;
    private static final String PASSWORD_FILE = "store-password";
    private static final String PASSWORD_VARIABLE = "WECOM_TLS_STORE_PASSWORD";

    /**
     * The stores in {@code dir}, made there first if missing, with certificates naming {@code host}
     * (and {@code localhost}).
     */
    public static TlsStores inDirectory(Path dir, String host) {
        try {
            Files.createDirectories(dir);
            Path passwordFile = dir.resolve(PASSWORD_FILE);
            TlsStores stores;
            if (Files.exists(passwordFile)) {
                stores = at(dir, Files.readString(passwordFile).strip());
            } else {
                byte[] random = new byte[18];
                new SecureRandom().nextBytes(random);
                stores = at(dir, HexFormat.of().formatHex(random));
            }
            if (!Files.exists(stores.clientTruststore())) {
                stores.generate(host);
                Files.writeString(passwordFile, stores.password(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            }
            return stores;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare TLS stores in " + dir, e);
        }
    }

    private static TlsStores at(Path dir, String password) {
        return new TlsStores(dir.resolve("broker.p12"), dir.resolve("broker-truststore.p12"),
                dir.resolve("client.p12"), dir.resolve("client-truststore.p12"), password);
    }

    /**
     * What a client of the TLS listener sets: trust of the broker, and with {@code clientCertificate}
     * the key store that proves who it is (mutual TLS).
     */
    public Map<String, String> clientProperties(boolean clientCertificate) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SSL");
        p.put("ssl.truststore.location", clientTruststore.toString());
        p.put("ssl.truststore.password", password);
        p.put("ssl.truststore.type", "PKCS12");
        if (clientCertificate) {
            p.put("ssl.keystore.location", clientKeystore.toString());
            p.put("ssl.keystore.password", password);
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.key.password", password);
        }
        return p;
    }

    @Override
    public String toString() {
        return "TlsStores[" + brokerKeystore.getParent() + "]";
    }

    private void generate(String host) throws IOException {
        Path dir = brokerKeystore.getParent();
        String san = "SAN=" + (host.matches("[0-9.]+|.*:.*") ? "IP:" + host : "DNS:" + host) + ",DNS:localhost";
        keyPair(brokerKeystore, "broker", BROKER_SUBJECT, san);
        keyPair(clientKeystore, "client", CLIENT_SUBJECT, null);
        Path brokerCert = dir.resolve("broker.pem");
        Path clientCert = dir.resolve("client.pem");
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", brokerKeystore.toString(), "-file",
                brokerCert.toString(), "-storepass:env", PASSWORD_VARIABLE);
        keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", clientKeystore.toString(), "-file",
                clientCert.toString(), "-storepass:env", PASSWORD_VARIABLE);
        trust(clientTruststore, "broker", brokerCert);
        trust(brokerTruststore, "client", clientCert);
    }

    private void keyPair(Path store, String alias, String subject, String san) throws IOException {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
                "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", subject, "-validity", "3650", "-storetype",
                "PKCS12", "-keystore", store.toString(), "-storepass:env", PASSWORD_VARIABLE, "-keypass:env",
                PASSWORD_VARIABLE));
        if (san != null) {
            args.addAll(List.of("-ext", san));
        }
        keytool(args.toArray(String[]::new));
    }

    private void trust(Path store, String alias, Path certificate) throws IOException {
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass:env", PASSWORD_VARIABLE);
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(PASSWORD_VARIABLE, password);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
