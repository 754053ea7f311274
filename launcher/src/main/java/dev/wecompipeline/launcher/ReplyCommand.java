package dev.wecompipeline.launcher;

import java.util.concurrent.Callable;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.reply.ReplyService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;

/** {@code wecom-pipeline reply}: the reply-service alone. */
@Command(name = "reply",
        mixinStandardHelpOptions = true,
        description = {
                "Runs the reply-service alone: wecom.replies in, WeCom message/send out.",
                "Needs KAFKA_BOOTSTRAP_SERVERS and the apps' corp secrets; calls WECOM_API_BASE.",
                "/health, /ready, /metrics on REPLY_PORT (8647)."})
final class ReplyCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        ShutdownSignal signal = ShutdownSignal.install();
        PipelineConfig config = ServiceStartup.loadConfig().requireApps();
        String bootstrap = ServiceStartup.requireExternalKafka(config);
        ServiceStartup.ensureTopics(config, bootstrap);
        try (ReplyService reply = new ReplyService(config, bootstrap,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true, signal::fail).start()) {
            signal.await();
        }
        return signal.exitCode();
    }
}
