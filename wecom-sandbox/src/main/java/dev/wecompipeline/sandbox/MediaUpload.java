package dev.wecompipeline.sandbox;

import java.time.Instant;

/**
 * One call to {@code media/upload} as the sandbox answered it, with the bytes it received.
 *
 * @param time        arrival, on the sandbox's clock
 * @param corpId      the corp of the token
 * @param type        {@code type} as asked ({@code image}, {@code voice}, {@code video}, {@code file})
 * @param filename    the multipart part's filename
 * @param contentType the multipart part's content type
 * @param bytes       what was uploaded
 * @param errcode     WeCom errcode answered (0 on success)
 * @param mediaId     the id answered, null on failure
 */
public record MediaUpload(Instant time, String corpId, String type, String filename, String contentType, byte[] bytes,
                          int errcode, String mediaId) {
}
