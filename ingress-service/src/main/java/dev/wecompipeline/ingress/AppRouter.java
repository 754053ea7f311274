package dev.wecompipeline.ingress;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.crypto.SignatureMismatchException;
import dev.wecompipeline.crypto.WxBizMsgCrypt;
import dev.wecompipeline.ops.LogSafe;
import dev.wecompipeline.xml.CallbackEnvelope;

/**
 * Matches a callback to one configured app: a POST by its envelope's {@code ToUserName} (corp id)
 * and {@code AgentID}, then by signature; a GET verification by trying each candidate app's
 * token. Per-app paths ({@code /wecom/callback/{app}}) narrow the candidates to that app.
 */
final class AppRouter {

    /** An app with its crypto, built once at start-up. */
    record RoutedApp(AppConfig app, WxBizMsgCrypt crypto) {
    }

    private final List<RoutedApp> apps;

    AppRouter(List<AppConfig> apps, Duration timestampWindow, Clock clock) {
        this.apps = apps.stream()
                .map(a -> new RoutedApp(a, new WxBizMsgCrypt(a.token(), a.encodingAesKey(), a.corpId(),
                        timestampWindow, clock, new java.security.SecureRandom())))
                .toList();
    }

    boolean hasApp(String name) {
        return apps.stream().anyMatch(r -> r.app().name().equals(name));
    }

    /**
     * The app whose token signed this POST.
     *
     * @param pathApp app named by a per-app path, or null for the shared path
     * @throws CallbackRejected {@link CallbackOutcome#UNKNOWN_APP} when no app has this corp and agent id
     * @throws SignatureMismatchException when none of the candidates' tokens produced the signature
     */
    RoutedApp forPost(String pathApp, CallbackEnvelope envelope, String signature, String timestamp, String nonce) {
        List<RoutedApp> candidates = new ArrayList<>(2);
        for (RoutedApp r : apps) {
            if ((pathApp == null || r.app().name().equals(pathApp))
                    && r.app().corpId().equals(envelope.toUserName())
                    && (isBlank(envelope.agentId()) || r.app().agentId().equals(envelope.agentId().strip()))) {
                candidates.add(r);
            }
        }
        if (candidates.isEmpty()) {
            // Corp and agent id are unauthenticated here: escaped before they reach the rejection log line.
            throw new CallbackRejected(CallbackOutcome.UNKNOWN_APP, "no configured app for corp "
                    + LogSafe.of(envelope.toUserName()) + " agent " + LogSafe.of(envelope.agentId())
                    + (pathApp == null ? "" : " on path app " + pathApp));
        }
        return firstVerifying(candidates, signature, timestamp, nonce, envelope.encrypt());
    }

    /** The app whose token signed this URL verification (GET). */
    RoutedApp forVerification(String pathApp, String signature, String timestamp, String nonce, String echostr) {
        List<RoutedApp> candidates = pathApp == null ? apps
                : apps.stream().filter(r -> r.app().name().equals(pathApp)).toList();
        return firstVerifying(candidates, signature, timestamp, nonce, echostr);
    }

    private static RoutedApp firstVerifying(List<RoutedApp> candidates, String signature, String timestamp,
                                            String nonce, String encrypted) {
        SignatureMismatchException last = null;
        for (RoutedApp r : candidates) {
            try {
                r.crypto().verifySignature(signature, timestamp, nonce, encrypted);
                return r;
            } catch (SignatureMismatchException e) {
                // A stale timestamp is specific to the app whose token matched: report it, don't keep looking.
                if (e instanceof dev.wecompipeline.crypto.StaleTimestampException) {
                    throw e;
                }
                last = e;
            }
        }
        throw Objects.requireNonNullElseGet(last, () -> new SignatureMismatchException("no app to verify against"));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
