package dev.wecompipeline.launcher;

import picocli.CommandLine;

/** Entry point of the runnable jar behind {@code bin/wecom-pipeline}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(WecomPipelineCommand.commandLine().execute(args));
    }
}
