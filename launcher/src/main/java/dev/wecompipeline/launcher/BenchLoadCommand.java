package dev.wecompipeline.launcher;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import dev.wecompipeline.bench.JvmLoad;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline bench load}: the bench's own load generator as a process of its own, so it
 * does not share the measured server's JVM. Started by {@code bench}; hidden from the help.
 */
@Command(name = "load", hidden = true, mixinStandardHelpOptions = true,
        description = "The bench's load generator in its own process: prints one LOAD-RESULT line.")
final class BenchLoadCommand implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "Target: the callback URL, or /health for a GET run.")
    URI url;

    @Option(names = "--file", description = "Signed callbacks to POST (from the bench); without it, GET --url.")
    Path file;

    @Option(names = "--rate", defaultValue = "0", description = "Requests per second, paced; 0 sends as fast as answered.")
    double rate;

    @Option(names = "--seconds", defaultValue = "10", description = "How long to run.")
    int seconds;

    @Option(names = "--connections", defaultValue = "32", description = "Keep-alive connections.")
    int connections;

    @Override
    public Integer call() throws Exception {
        JvmLoad.runAndPrint(url, file, rate, Duration.ofSeconds(seconds), connections, System.out);
        return 0;
    }
}
