package dev.wecompipeline.launcher;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.doctor.CallbackChecks;
import dev.wecompipeline.doctor.ConfigChecks;
import dev.wecompipeline.doctor.DoctorCheck;
import dev.wecompipeline.doctor.DoctorReport;
import dev.wecompipeline.doctor.KafkaChecks;
import dev.wecompipeline.doctor.WeComChecks;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline doctor}: finds what is wrong before a user files a bug. Checks the
 * configuration (and whitespace around secrets), each app's EncodingAESKey, Kafka and its
 * topics, each app's secret against WeCom's {@code gettoken}, the callback URL with a signed
 * verification request, and the consumer lag of the worker and reply groups. Every failure comes
 * with a one-line fix; the exit code is 0 only when nothing failed.
 *
 * <pre>
 * bin/wecom-pipeline doctor
 * bin/wecom-pipeline doctor --url https://bot.example.com/wecom/callback --json
 * </pre>
 */
@Command(name = "doctor",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Checks configuration, Kafka, WeCom credentials and the callback URL.",
                "Kafka: reachable, topics and partitions, replication (a warning each), worker and reply consumer lag.",
                "WeCom: each app's secret against gettoken (40001, 60020, ...).",
                "Callback: a signed verification request, as WeCom sends it.",
                "Prints a fix for each failure; exit code 0 only when every check passes."})
public final class DoctorCommand implements Callable<Integer> {

    /** Groups of checks that {@code --skip} can leave out. */
    enum Area { kafka, wecom, callback }

    @Option(names = "--url", description = "Callback URL to verify instead of the local ingress "
            + "(127.0.0.1, WECOM_CALLBACK_PORT and _PATH) and WECOM_CALLBACK_PUBLIC_URL.")
    String url;

    @Option(names = "--json", description = "Print the result as JSON (for scripts).")
    boolean json;

    @Option(names = "--timeout", defaultValue = "5", description = "Seconds each network check may take (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--max-lag", defaultValue = "1000",
            description = "Consumer lag above which a group fails the check (default ${DEFAULT-VALUE}).")
    long maxLag;

    @Option(names = "--skip", split = ",", description = "Leave out checks: ${COMPLETION-CANDIDATES}.")
    Set<Area> skip = EnumSet.noneOf(Area.class);

    private final Map<String, String> env;
    private final PrintStream out;

    /** As run from the command line: the process environment, UTF-8 output. */
    public DoctorCommand() {
        this(System.getenv(), new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
    }

    /** For tests: this environment, output to {@code out}. */
    public DoctorCommand(Map<String, String> env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    @Override
    public Integer call() {
        quietKafkaClientLogs();
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        List<DoctorCheck> checks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        ConfigChecks.Result config = ConfigChecks.run(env);
        checks.addAll(config.checks());
        if (config.config().isEmpty()) {
            notes.add("Kafka, WeCom and callback checks skipped until the configuration loads");
        } else {
            PipelineConfig c = config.config().get();
            if (!skip.contains(Area.kafka)) {
                checks.addAll(KafkaChecks.run(c, timeout, maxLag));
            }
            if (!skip.contains(Area.wecom)) {
                checks.addAll(WeComChecks.run(c, timeout));
            }
            if (!skip.contains(Area.callback)) {
                checks.addAll(CallbackChecks.run(c, url, timeout));
            }
        }
        DoctorReport report = new DoctorReport(checks, notes);
        if (json) {
            report.printJson(out);
        } else {
            report.printText(out);
        }
        out.flush();
        return report.exitCode();
    }

    /** The admin client logs every failed connection attempt; the doctor reports it in one line instead. */
    private static void quietKafkaClientLogs() {
        if (LoggerFactory.getLogger("org.apache.kafka") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }
}
