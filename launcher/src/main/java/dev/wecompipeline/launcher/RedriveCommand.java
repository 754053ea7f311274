package dev.wecompipeline.launcher;

import java.time.Instant;
import java.util.concurrent.Callable;

import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.reply.Redrive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wecom-pipeline redrive}: moves dead letters back to the reply topic. */
@Command(name = "redrive",
        mixinStandardHelpOptions = true,
        description = {
                "Moves dead letters from wecom.replies.dlq back to wecom.replies",
                "(after fixing what made them fail, e.g. a trusted IP or a permission).",
                "--dry-run lists them only."})
final class RedriveCommand implements Callable<Integer> {

    @Option(names = "--app", description = "Only this app.")
    String app;

    @Option(names = "--user", description = "Only this user (bare id or corp_id:user_id).")
    String user;

    @Option(names = "--errcode", description = "Only dead letters with this WeCom errcode.")
    String errcode;

    @Option(names = "--from", description = "Dead-lettered at or after this instant (ISO-8601, e.g. 2026-11-25T00:00:00Z).")
    Instant from;

    @Option(names = "--to", description = "Dead-lettered before this instant (ISO-8601).")
    Instant to;

    @Option(names = "--dry-run", description = "List what would be redriven; publish nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        PipelineConfig config = ServiceStartup.loadConfig();
        Redrive.Filter filter = Redrive.Filter.ALL.withApp(app).withUser(user).withErrcode(errcode).between(from, to);
        Redrive.Result r = Redrive.run(config, ServiceStartup.requireExternalKafka(config), filter, dryRun, System.out);
        System.out.printf("redrive: %d dead letters examined, %d matched, %d %s%n", r.examined(), r.matched(),
                r.redriven(), dryRun ? "would be redriven (dry run)" : "redriven");
        return 0;
    }
}
