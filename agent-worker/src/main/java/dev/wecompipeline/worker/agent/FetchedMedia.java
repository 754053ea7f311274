package dev.wecompipeline.worker.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The media of one message as the worker fetched it from WeCom ({@code media/get}) before the
 * agent call: a local temporary file, deleted when the call is over, or, when it could not be
 * fetched, the reason ({@code file} then null). Bytes never travel on Kafka; only the
 * {@code MediaId} does.
 *
 * @param type        WeCom's message type: {@code image}, {@code voice}, {@code video} or {@code file}
 * @param mediaId     the message's {@code MediaId}
 * @param contentType as WeCom served it, e.g. {@code image/jpeg}; null when not fetched
 * @param filename    from WeCom's {@code Content-Disposition}, or the message's {@code FileName}; may be null
 * @param size        bytes fetched, 0 when not fetched
 * @param file        the local copy, null when not fetched
 * @param error       why it was not fetched ({@code expired or unknown}, {@code larger than 2097152 bytes}, ...), else null
 */
public record FetchedMedia(String type, String mediaId, String contentType, String filename, long size, Path file,
                           String error) {

    /** Whether the bytes are at {@link #file()}. */
    public boolean fetched() {
        return file != null && error == null;
    }

    /** The fetched bytes, read from the local copy. */
    public byte[] bytes() {
        if (!fetched()) {
            throw new IllegalStateException("the " + type + " was not fetched: " + error);
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One line for an agent that can't take the media itself:
     * {@code the image (image/jpeg, 48213 bytes)} or {@code the image could not be fetched: expired or unknown}.
     */
    public String describe() {
        String noun = "the " + type;
        return fetched() ? noun + " (" + contentType + ", " + size + " bytes)" : noun + " could not be fetched: " + error;
    }
}
