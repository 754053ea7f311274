package dev.wecompipeline.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wecom-pipeline COMMAND [options]}: the operator's single entry point. Each subcommand is
 * one composition root that parses its configuration, starts its services and waits for SIGTERM.
 */
@Command(name = "wecom-pipeline",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
                "Kafka-backed pipeline between WeCom self-built apps and AI agents.",
                "WeCom -> ingress -> wecom.inbound -> agent-worker -> wecom.replies -> reply-service -> WeCom"},
        subcommands = {
                AllInOneCommand.class,
                KafkaCommand.class,
                TopicsCommand.class,
                IngressCommand.class,
                WorkerCommand.class,
                ReplyCommand.class,
                DemoCommand.class,
                BenchCommand.class,
                SimulateCommand.class,
                ReplayCommand.class,
                RedriveCommand.class,
                SetupCommand.class,
                DoctorCommand.class,
                CommandLine.HelpCommand.class})
public final class WecomPipelineCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The configured command line: one-line errors, exit codes as in the operator interface. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new WecomPipelineCommand());
        cl.setExecutionExceptionHandler(new OneLineErrorHandler());
        return cl;
    }

    @Override
    public void run() {
        // No subcommand: show what there is rather than doing something surprising.
        spec.commandLine().usage(System.out);
    }
}
