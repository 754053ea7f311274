package dev.wecompipeline.launcher;

import java.util.concurrent.Callable;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.ingress.IngressService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** {@code wecom-pipeline ingress}: the callback server alone, publishing to {@code KAFKA_BOOTSTRAP_SERVERS}. */
@Command(name = "ingress",
        mixinStandardHelpOptions = true,
        description = {
                "Runs the ingress alone: WeCom callbacks in, wecom.inbound out.",
                "Needs KAFKA_BOOTSTRAP_SERVERS and one app (WECOM_CALLBACK_* or config.yaml).",
                "Serves the callback path on WECOM_CALLBACK_PORT (8645), and /health, /ready and /metrics",
                "there too, or on WECOM_CALLBACK_OPS_PORT when set."})
final class IngressCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(IngressCommand.class);

    @Override
    public Integer call() throws Exception {
        ShutdownSignal signal = ShutdownSignal.install();
        PipelineConfig config = ServiceStartup.loadConfig().requireApps();
        String bootstrap = ServiceStartup.requireExternalKafka(config);
        ServiceStartup.ensureTopics(config, bootstrap);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (IngressService ingress = new IngressService(config, bootstrap, registry).start()) {
            LOG.info("ingress: ready; register http://<public-host>:{}{} in WeCom's admin console",
                    ingress.port(), config.ingress().path());
            signal.await();
        }
        return 0;
    }
}
