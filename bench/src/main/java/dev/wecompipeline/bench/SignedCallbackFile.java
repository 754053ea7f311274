package dev.wecompipeline.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Distinct, validly signed text callbacks written to a file before the clock starts, one per line as
 * {@code query TAB body}: the input of both load generators (wrk's Lua script and {@code bench load}),
 * so neither signs while it measures. Each line has its own MsgId (the ingress's dedupe cache never
 * short-cuts one) and its own sender (WeCom's 30 messages a minute per user never throttles the
 * replies). Timestamps are those of writing: a file is written just before its run, inside the
 * ingress's 300 s window.
 *
 * <pre>{@code
 * SignedCallbackFile.write(dir.resolve("run.txt"), sim, "run", 50_000);
 * }</pre>
 */
public final class SignedCallbackFile {

    /** One line: the query string (without '?') and the XML body. */
    public record Line(String query, String body) {
    }

    private SignedCallbackFile() {
    }

    /** The text of callback {@code i} of a file labelled {@code label}: how a delivered echo finds its callback. */
    public static String text(String label, int i) {
        return label + " " + i;
    }

    /** Writes {@code count} callbacks labelled {@code label} and returns the file. */
    public static Path write(Path file, CallbackSimulator sim, String label, int count) throws IOException {
        String run = label + "-" + Long.toString(System.currentTimeMillis(), 36) + "-";
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                var cb = sim.signedCallback("b-" + run + i, run + i, text(label, i));
                // The envelope is built on one line and its fields are base64 or digits: no tab, no newline.
                out.write(cb.query());
                out.write('\t');
                out.write(cb.body());
                out.write('\n');
            }
        }
        return file;
    }

    /** Reads a file written by {@link #write}. */
    public static List<Line> read(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int tab = l.indexOf('\t');
            lines.add(new Line(l.substring(0, tab), l.substring(tab + 1)));
        }
        return lines;
    }
}
