package dev.wecompipeline.sandbox;

import java.time.Instant;

/**
 * A media id's file as the sandbox holds it, seeded or uploaded: what an image or file message
 * delivered with that id shows the member.
 *
 * <pre>{@code
 * ReceivedMessage d = wecom.deliveredTo("ww1234", "alice").get(0);           // msgtype "image", content = media_id
 * byte[] shown = wecom.uploadedMedia(d.content()).orElseThrow().bytes();
 * }</pre>
 *
 * @param corpId      the corp the id belongs to
 * @param type        {@code image}, {@code voice}, {@code video} or {@code file}, as uploaded or seeded
 * @param filename    the upload's filename; null if seeded without one
 * @param contentType the upload's content type
 * @param bytes       the file; a copy, changing it changes nothing in the sandbox
 * @param createdAt   when the id was made, on the sandbox clock; it is valid for three days from then
 */
public record StoredMedia(String corpId, String type, String filename, String contentType, byte[] bytes,
                          Instant createdAt) {
}
