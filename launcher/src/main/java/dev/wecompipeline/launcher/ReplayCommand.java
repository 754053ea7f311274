package dev.wecompipeline.launcher;

import java.time.Instant;
import java.util.concurrent.Callable;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.reply.Replay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline replay}: re-runs inbound messages of a time window. The inbound topic is
 * the replay log; replayed copies carry the {@code wecom-replay} header, which the worker's dedupe
 * lets through, so the user gets a fresh answer.
 */
@Command(name = "replay",
        mixinStandardHelpOptions = true,
        description = {
                "Re-publishes inbound messages of a time window (marked as replays) so they are answered again.",
                "--dry-run lists them only. The other route, resetting the worker group's offsets with",
                "kafka-consumer-groups.sh, is described in the README."})
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, description = "Start of the window (ISO-8601, e.g. 2026-11-25T08:00:00Z).")
    Instant from;

    @Option(names = "--to", description = "End of the window, exclusive (default: now).")
    Instant to;

    @Option(names = "--user", description = "Only this user (bare id or corp_id:user_id).")
    String user;

    @Option(names = "--app", description = "Only this app.")
    String app;

    @Option(names = "--dry-run", description = "List the messages; publish nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        PipelineConfig config = ServiceStartup.loadConfig();
        Replay.Filter filter = new Replay.Filter(from, to, user, app);
        Replay.Result r = Replay.run(config, ServiceStartup.requireExternalKafka(config), filter, dryRun, System.out);
        if (!r.complete()) {
            System.out.printf("replay: %s not read to its end in time; only the messages read are listed%n",
                    config.kafka().inboundTopic());
        }
        System.out.printf("replay: %d messages %s%n", r.matched(),
                dryRun ? "match (dry run, nothing published)" : "re-published as replays");
        return 0;
    }
}
