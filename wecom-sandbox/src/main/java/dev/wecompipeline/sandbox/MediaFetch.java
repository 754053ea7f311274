package dev.wecompipeline.sandbox;

import java.time.Instant;

/**
 * One call to {@code media/get} that reached the media store (token valid).
 *
 * @param time    arrival, on the sandbox's clock
 * @param corpId  the corp of the token
 * @param mediaId as asked
 * @param errcode 0 when the bytes were served, else the errcode answered as JSON
 * @param size    bytes served, 0 on error
 */
public record MediaFetch(Instant time, String corpId, String mediaId, int errcode, int size) {
}
