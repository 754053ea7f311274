package dev.wecompipeline.doctor;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.config.ReplyConfig;
import dev.wecompipeline.wecom.ErrorCodes;
import dev.wecompipeline.wecom.WeComApi.TokenAnswer;
import dev.wecompipeline.wecom.WeComClient;
import dev.wecompipeline.wecom.WeComException;

/**
 * Each app's secret against WeCom's {@code gettoken}, through the reply-service's own client (so
 * the doctor calls WeCom exactly as the pipeline does: same base URL, same redaction of secrets).
 * The errcodes operators meet at setup each get their fix: 40001 a wrong secret, 40013 a wrong
 * corp id, 60020 the server's IP missing from the app's trusted IPs (with the IP WeCom saw).
 */
public final class WeComChecks {

    /** WeCom's errmsg names the caller: {@code "..., from ip: 1.2.3.4, more info at ..."}. */
    private static final Pattern FROM_IP = Pattern.compile("from ip: ?([0-9a-fA-F.:]+)");
    static final int INVALID_CORPID = 40013;

    private WeComChecks() {
    }

    public static List<DoctorCheck> run(PipelineConfig config, Duration timeout) {
        List<DoctorCheck> checks = new ArrayList<>();
        String base = config.reply().wecomApiBase();
        try (WeComClient client = new WeComClient(URI.create(base), 1, timeout)) {
            for (AppConfig app : config.apps()) {
                checks.add(gettoken(client, app, base, timeout));
            }
        }
        return checks;
    }

    private static DoctorCheck gettoken(WeComClient client, AppConfig app, String base, Duration timeout) {
        String name = "wecom gettoken (" + app.name() + ")";
        if (app.corpSecret() == null) {
            return DoctorCheck.fail(name, "no corp secret configured (the reply-service needs it)",
                    "set " + secretKey(app) + " to the app's Secret (admin console → Applications → " + consoleName(app)
                            + " → Secret)");
        }
        TokenAnswer answer;
        try {
            // The client's own request timeout applies; this bound only guards against a stuck pool.
            answer = client.gettoken(app.corpId(), app.corpSecret()).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            WeComException w = ErrorCodes.forFailure(e);
            return DoctorCheck.fail(name, "no answer from " + base + " (" + w.code() + ": " + w.errmsg() + ")",
                    base.equals(ReplyConfig.WECOM_API_BASE.defaultValue())
                            ? "allow outbound HTTPS from this server to qyapi.weixin.qq.com (firewall, proxy)"
                            : "check " + ReplyConfig.WECOM_API_BASE.env() + " (" + base + ") and that it is reachable from here");
        } catch (TimeoutException e) {
            return DoctorCheck.fail(name, "no answer from " + base + " within " + timeout.toSeconds() * 2 + " s",
                    "allow outbound HTTPS from this server to " + URI.create(base).getHost());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DoctorCheck.fail(name, "interrupted", "run doctor again");
        }
        int errcode = answer.errcode();
        String errmsg = answer.errmsg() == null ? "" : ErrorCodes.redact(answer.errmsg());
        if (errcode == ErrorCodes.OK && answer.accessToken() != null) {
            return DoctorCheck.pass(name, "corp " + app.corpId() + ": secret accepted, token valid " + answer.expiresIn() + " s");
        }
        String detail = "errcode " + errcode + " " + errmsg;
        return switch (errcode) {
            case ErrorCodes.INVALID_CREDENTIAL -> DoctorCheck.fail(name, detail,
                    "wrong secret: copy the app's Secret again (admin console → Applications → " + consoleName(app)
                            + " → Secret) into " + secretKey(app) + "; it belongs to this app, not to another app or the corp");
            case INVALID_CORPID -> DoctorCheck.fail(name, detail,
                    "wrong corp id: copy the Corp ID again (admin console → My Company → Company Information) into "
                            + key(app, AppConfig.CORP_ID.env(), AppConfig.CORP_ID.key()));
            case ErrorCodes.IP_NOT_ALLOWED -> DoctorCheck.fail(name, detail, "add this server's IP"
                    + fromIp(errmsg).map(ip -> " " + ip).orElse("") + " to the app's trusted IPs (admin console → Applications → "
                    + consoleName(app) + " → Trusted IPs / 企业可信IP), then run doctor again");
            case ErrorCodes.API_FREQ_OUT_OF_LIMIT -> DoctorCheck.fail(name, detail,
                    "gettoken was called too often: wait a minute and run doctor again");
            default -> DoctorCheck.fail(name, detail,
                    "see https://open.work.weixin.qq.com/devtool/query?e=" + errcode + " for what WeCom means by it");
        };
    }

    static java.util.Optional<String> fromIp(String errmsg) {
        Matcher m = FROM_IP.matcher(errmsg);
        return m.find() ? java.util.Optional.of(m.group(1).replaceAll("[.:]+$", "")) : java.util.Optional.empty();
    }

    /** How the operator finds the app in WeCom's console: our name only means something for listed apps. */
    private static String consoleName(AppConfig app) {
        return AppConfig.DEFAULT_NAME.equals(app.name()) ? "your app" : app.name();
    }

    private static String secretKey(AppConfig app) {
        return key(app, AppConfig.CORP_SECRET.env(), AppConfig.CORP_SECRET.key());
    }

    private static String key(AppConfig app, String env, String yaml) {
        return AppConfig.DEFAULT_NAME.equals(app.name()) ? env : "the apps entry '" + app.name() + "' (" + yaml + ")";
    }
}
