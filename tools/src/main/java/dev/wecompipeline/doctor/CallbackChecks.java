package dev.wecompipeline.doctor;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.IngressConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.crypto.CallbackEncoder;
import dev.wecompipeline.crypto.WxBizMsgCrypt;

/**
 * Sends the callback URL the request WeCom sends when the URL is saved in the admin console: a
 * {@code GET} with {@code msg_signature}, {@code timestamp}, {@code nonce} and an encrypted
 * {@code echostr}, signed with each app's Token, and expects the decrypted echo back. Each way it
 * can go wrong maps to its cause: nothing listening, a wrong path (404), a proxy that drops the
 * query string (400 without echostr), a Token or key the running ingress does not share (403).
 *
 * <p>Checked on the local ingress ({@code http://127.0.0.1:PORT/PATH}) and, when configured, on
 * {@code WECOM_CALLBACK_PUBLIC_URL}, the way WeCom comes in; {@code --url} replaces both.
 */
public final class CallbackChecks {

    private CallbackChecks() {
    }

    /** The URLs to check: {@code --url}, else the local ingress and the public URL if set. */
    static Map<String, String> urls(PipelineConfig config, String override) {
        Map<String, String> urls = new LinkedHashMap<>();
        if (override != null) {
            urls.put("callback", override);
            return urls;
        }
        IngressConfig ingress = config.ingress();
        String host = ingress.host().equals("0.0.0.0") || ingress.host().equals("::") ? "127.0.0.1" : ingress.host();
        urls.put("callback local", "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + ingress.port()
                + ingress.path());
        if (ingress.publicUrl() != null) {
            urls.put("callback public", ingress.publicUrl());
        }
        return urls;
    }

    public static List<DoctorCheck> run(PipelineConfig config, String override, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        List<DoctorCheck> checks = new ArrayList<>();
        urls(config, override).forEach((label, url) -> {
            for (AppConfig app : config.apps()) {
                checks.add(verify(http, label + " (" + app.name() + ")", url, app, config.ingress(), timeout));
            }
        });
        return checks;
    }

    private static DoctorCheck verify(HttpClient http, String name, String url, AppConfig app, IngressConfig ingress,
                                      Duration timeout) {
        String echo = "doctor-" + UUID.randomUUID();
        CallbackEncoder encoder = new CallbackEncoder(new WxBizMsgCrypt(app.token(), app.encodingAesKey(), app.corpId()),
                app.corpId(), app.agentId());
        CallbackEncoder.SignedCallback signed = encoder.verification(echo, System.currentTimeMillis() / 1000);
        URI uri;
        try {
            uri = URI.create(url + (url.contains("?") ? "&" : "?") + signed.query());
        } catch (IllegalArgumentException e) {
            return DoctorCheck.fail(name, "not a URL: " + url, "give --url as http(s)://host:port/path");
        }
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            return DoctorCheck.fail(name, "nothing answers at " + url + " (connection refused)", notListening(name, ingress));
        } catch (HttpTimeoutException e) {
            return DoctorCheck.fail(name, "no answer from " + url + " within " + timeout.toSeconds() + " s",
                    "a firewall or a stopped tunnel is in the way; WeCom gives up after 5 s too");
        } catch (IOException e) {
            return DoctorCheck.fail(name, url + ": " + e.getClass().getSimpleName() + " " + e.getMessage(),
                    name.startsWith("callback public") ? "check DNS, TLS certificate and the proxy in front of the ingress"
                            : notListening(name, ingress));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DoctorCheck.fail(name, "interrupted", "run doctor again");
        }
        String body = r.body() == null ? "" : r.body().strip();
        int status = r.statusCode();
        if (status == 200 && body.equals(echo)) {
            return DoctorCheck.pass(name, url + " answered the signed verification with the echo");
        }
        String detail = url + " answered " + status + (body.isEmpty() ? "" : " \"" + abbreviate(body) + "\"");
        return DoctorCheck.fail(name, detail, switch (status) {
            case 404 -> "wrong path: the ingress serves " + ingress.path() + (ingress.perAppPaths() ? " and " + ingress.path()
                    + "/{app}" : "") + "; make the URL registered in WeCom (and the proxy's location) end in it, or set "
                    + IngressConfig.PATH.env();
            case 400 -> "the signed query string did not arrive intact: make the proxy or tunnel forward it unchanged "
                    + "(nginx: proxy_pass without a URI part, or with $is_args$args)";
            case 403 -> body.contains("source")
                    ? "the ingress refused this machine's address: add it to " + IngressConfig.ALLOWED_SOURCE_CIDRS.env()
                    + " (behind a proxy, list the proxy in " + IngressConfig.TRUSTED_PROXIES.env() + ")"
                    : "the ingress refused the signature: it runs with another Token/EncodingAESKey than this "
                    + "configuration (restart it after changing them; check which .env it was started with)";
            case 301, 302, 307, 308 -> "the URL redirects (" + r.headers().firstValue("location").orElse("?")
                    + "); WeCom does not follow redirects: register the final URL";
            case 502, 503, 504 -> "the proxy answers but the ingress behind it does not: start it, or fix the proxy's upstream";
            default -> status == 200 ? "something else answers at this URL (not the ingress, or an old one): check the port"
                    : "unexpected answer; check what listens at " + url;
        });
    }

    private static String notListening(String name, IngressConfig ingress) {
        return name.startsWith("callback local")
                ? "start the ingress (bin/wecom-pipeline all-in-one, or ingress) on port " + ingress.port()
                + ", or point --url at where it runs"
                : "start the ingress and the proxy or tunnel in front of it, or correct the URL";
    }

    private static String abbreviate(String body) {
        String one = body.replaceAll("\\s+", " ");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }
}
