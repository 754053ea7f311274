package dev.wecompipeline.worker.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wecompipeline.config.MediaConfig;
import dev.wecompipeline.kafka.JsonSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@code command} agent's stdout means: plain text, or a structured answer with attachments.
 *
 * <p>Stdout (stripped) that is one JSON object with any of {@code text} (a string), {@code images}
 * and {@code files} (lists of paths) is a structured answer; other keys are ignored:
 * <pre>{@code
 * {"text": "Here is the chart and the report.", "images": ["out/chart.png"], "files": ["/tmp/run-1/report.pdf"]}
 * }</pre>
 * Anything else (not JSON, JSON that is not such an object, a key of the wrong type) is the answer's
 * text as it is, as before structured answers existed.
 *
 * <p>Paths are absolute or relative to the program's working directory (the worker's). Each is
 * read into memory and left where it is (it is the program's file). An image must be a regular file
 * named {@code .png}, {@code .jpg} or {@code .jpeg} (the only images WeCom sends as such) of at
 * most {@code MEDIA_MAX_IMAGE_BYTES}; anything else listed under {@code images} is sent as a file.
 * A file may have {@code MEDIA_MAX_FILE_BYTES}. The attachments are the images in order, then the
 * files in order. One that is missing, unreadable, not a regular file, too large or too small for
 * WeCom (5 bytes or fewer) does not fail the answer: the text ends with a line saying so
 * ({@code [attachment report.pdf not sent: larger than 20971520 bytes]}) and the worker logs it,
 * never the file's content.
 */
final class CommandAnswer {

    private static final Logger LOG = LoggerFactory.getLogger(CommandAnswer.class);

    static final String TEXT = "text";
    static final String IMAGES = "images";
    static final String FILES = "files";

    /** The whole of stdout must be the one object: {"text":"a"} followed by more is text. */
    private static final ObjectReader READER = JsonSerde.MAPPER.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private CommandAnswer() {
    }

    /**
     * The answer {@code stdout} gives.
     *
     * @param stdout           what the program wrote, stripped
     * @param limits           the image and file caps
     * @param workingDirectory what relative paths are relative to
     */
    static AgentAnswer of(String stdout, MediaConfig limits, Path workingDirectory) {
        Optional<ObjectNode> structured = structured(stdout);
        if (structured.isEmpty()) {
            return AgentAnswer.text(stdout);
        }
        ObjectNode json = structured.get();
        String text = json.path(TEXT).isTextual() ? json.path(TEXT).asText().strip() : "";
        List<OutgoingMedia> media = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        json.path(IMAGES).forEach(path -> attach(path.asText(), true, limits, workingDirectory, media, notes));
        json.path(FILES).forEach(path -> attach(path.asText(), false, limits, workingDirectory, media, notes));
        return new AgentAnswer(Attachments.withNotes(text, notes), media);
    }

    /** The object, if {@code stdout} is a structured answer. */
    static Optional<ObjectNode> structured(String stdout) {
        // Most answers are prose: don't parse what cannot be an object.
        if (!stdout.startsWith("{") || !stdout.endsWith("}")) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = READER.readValue(stdout);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!(node instanceof ObjectNode object)) {
            return Optional.empty();
        }
        JsonNode text = object.path(TEXT);
        JsonNode images = object.path(IMAGES);
        JsonNode files = object.path(FILES);
        if (absent(text) && absent(images) && absent(files)) {
            return Optional.empty();
        }
        if (!absent(text) && !text.isTextual() || !isPathList(images) || !isPathList(files)) {
            LOG.debug("worker: command agent's stdout is JSON with text, images or files of the wrong type; sent as text");
            return Optional.empty();
        }
        return Optional.of(object);
    }

    private static boolean absent(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    private static boolean isPathList(JsonNode node) {
        if (absent(node)) {
            return true;
        }
        if (!node.isArray()) {
            return false;
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static void attach(String listed, boolean underImages, MediaConfig limits, Path workingDirectory,
                               List<OutgoingMedia> media, List<String> notes) {
        Path path;
        try {
            path = workingDirectory.resolve(listed);
        } catch (InvalidPathException e) {
            refuse(listed, listed, "not a file path", notes);
            return;
        }
        String name = path.getFileName() == null ? listed : path.getFileName().toString();
        boolean image = underImages && Attachments.isWeComImage(name);
        int cap = image ? limits.maxImageBytes() : limits.maxFileBytes();
        byte[] bytes;
        try {
            bytes = read(path, cap);
        } catch (NotSent e) {
            refuse(name, path.toString(), e.getMessage(), notes);
            return;
        }
        if (bytes.length < Attachments.MIN_BYTES) {
            refuse(name, path.toString(), "smaller than " + Attachments.MIN_BYTES + " bytes (WeCom refuses it)", notes);
            return;
        }
        media.add(new OutgoingMedia(image ? OutgoingMedia.IMAGE : OutgoingMedia.FILE, name,
                Attachments.contentType(path), bytes));
    }

    private static void refuse(String name, String path, String reason, List<String> notes) {
        LOG.warn("worker: command agent's attachment {} not sent: {}", Attachments.printable(path), reason);
        notes.add(Attachments.notSent(name, reason));
    }

    /** At most {@code cap} bytes of a regular file; reading stops one byte past the cap. */
    private static byte[] read(Path path, int cap) throws NotSent {
        // Not a FIFO or device: reading one could block or never end.
        if (!Files.exists(path)) {
            throw new NotSent("not found");
        }
        if (!Files.isRegularFile(path)) {
            throw new NotSent("not a regular file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            if (Files.size(path) > cap) {
                throw new NotSent("larger than " + cap + " bytes");
            }
            byte[] bytes = in.readNBytes((int) Math.min(cap + 1L, Integer.MAX_VALUE - 8));
            if (bytes.length > cap) {
                throw new NotSent("larger than " + cap + " bytes");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new NotSent("not found");
        } catch (AccessDeniedException e) {
            throw new NotSent("not readable (permission denied)");
        } catch (IOException e) {
            throw new NotSent("not readable");
        }
    }

    /** Why one attachment is not sent; an answer goes on without it. */
    private static final class NotSent extends Exception {
        NotSent(String reason) {
            super(reason, null, false, false);
        }
    }
}
