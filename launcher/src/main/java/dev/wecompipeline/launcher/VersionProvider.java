package dev.wecompipeline.launcher;

import picocli.CommandLine;

/** Reports the jar's implementation version (set by Maven) for {@code --version}. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = WecomPipelineCommand.class.getPackage().getImplementationVersion();
        return new String[] {"wecom-pipeline " + (v == null ? "development build" : v)};
    }
}
