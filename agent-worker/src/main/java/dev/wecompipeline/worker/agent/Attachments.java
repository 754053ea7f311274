package dev.wecompipeline.worker.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What WeCom accepts of an agent's attachment, shared by the agents that answer with them
 * ({@link CommandAnswer}, {@link AnswerImages}): which names are images, content types, and the
 * note that tells the user an attachment was not sent.
 */
final class Attachments {

    /** WeCom's {@code media/upload} refuses files of 5 bytes or fewer. */
    static final int MIN_BYTES = 6;

    /** WeCom takes only these as {@code image} messages (by the file name's extension). */
    static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg");
    static final Set<String> IMAGE_CONTENT_TYPES = Set.of("image/png", "image/jpeg");

    /** The common ones, so the content type does not depend on the host's MIME database. */
    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("svg", "image/svg+xml"),
            Map.entry("pdf", "application/pdf"), Map.entry("txt", "text/plain"), Map.entry("md", "text/markdown"),
            Map.entry("csv", "text/csv"), Map.entry("json", "application/json"), Map.entry("zip", "application/zip"),
            Map.entry("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            Map.entry("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Map.entry("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"));

    private Attachments() {
    }

    /** The extension in lower case, {@code ""} when there is none. */
    static String extension(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Whether WeCom takes a file of this name as an image. */
    static boolean isWeComImage(String filename) {
        return IMAGE_EXTENSIONS.contains(extension(filename));
    }

    /** From the extension; {@code application/octet-stream} when neither the map nor the platform knows it. */
    static String contentType(Path file) {
        String known = CONTENT_TYPES.get(extension(file.getFileName() == null ? "" : file.getFileName().toString()));
        if (known != null) {
            return known;
        }
        try {
            String probed = Files.probeContentType(file);
            return probed != null ? probed : "application/octet-stream";
        } catch (java.io.IOException | SecurityException e) {
            return "application/octet-stream";
        }
    }

    /** A name as it may appear in a note or a log line: one line, of reasonable length. */
    static String printable(String name) {
        String one = name.replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** {@code [attachment report.pdf not sent: larger than 20971520 bytes]}. */
    static String notSent(String name, String reason) {
        return "[attachment " + printable(name) + " not sent: " + reason + "]";
    }

    /** {@code text} followed by the notes, one per line, after a blank line. */
    static String withNotes(String text, List<String> notes) {
        if (notes.isEmpty()) {
            return text;
        }
        String joined = String.join("\n", notes);
        return text.isBlank() ? joined : text + "\n\n" + joined;
    }
}
