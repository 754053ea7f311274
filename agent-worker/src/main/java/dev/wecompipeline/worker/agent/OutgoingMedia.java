package dev.wecompipeline.worker.agent;

import java.util.Objects;

/**
 * An attachment an agent answers with: an image or a file, as bytes in memory until the worker
 * uploads it with WeCom's {@code media/upload}. Bytes never go on Kafka; only the {@code media_id}
 * WeCom gives back does.
 *
 * @param type        {@code image} or {@code file}: WeCom's upload and message type
 * @param filename    the name WeCom shows (and checks the extension of: images must be JPG or PNG)
 * @param contentType e.g. {@code image/png}; {@code application/octet-stream} when not known
 * @param bytes       the content
 */
public record OutgoingMedia(String type, String filename, String contentType, byte[] bytes) {

    public static final String IMAGE = "image";
    public static final String FILE = "file";

    public OutgoingMedia {
        if (!IMAGE.equals(type) && !FILE.equals(type)) {
            throw new IllegalArgumentException("an attachment is an image or a file, not " + type);
        }
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(bytes, "bytes");
        contentType = contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType;
    }

    @Override
    public String toString() {
        return "OutgoingMedia[" + type + " " + filename + ", " + contentType + ", " + bytes.length + " bytes]";
    }
}
