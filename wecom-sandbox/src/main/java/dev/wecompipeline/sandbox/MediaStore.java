package dev.wecompipeline.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WeCom's temporary media ({@code cgi-bin/media/get}, {@code cgi-bin/media/upload}): ids per corp
 * that expire three days (sandbox clock) after they were made, with WeCom's size and type limits
 * on upload, and the check of the ids that {@code message/send} carries in image, voice, video and
 * file messages. Tests seed media as a callback would reference it and read back what was uploaded
 * and served. Thread-safe: every method is synchronized.
 */
final class MediaStore {

    /** How long a media id is served, as WeCom's temporary media. */
    static final Duration MEDIA_TTL = Duration.ofDays(3);

    /** WeCom's upload limits per type: the largest size and the accepted file extensions (empty = any). */
    enum Kind {
        IMAGE(10L << 20, Set.of("jpg", "jpeg", "png"), WeComErrors.INVALID_IMAGE_SIZE),
        VOICE(2L << 20, Set.of("amr"), WeComErrors.INVALID_VOICE_SIZE),
        VIDEO(10L << 20, Set.of("mp4"), WeComErrors.INVALID_VIDEO_SIZE),
        FILE(20L << 20, Set.of(), WeComErrors.INVALID_FILE_SIZE);

        final long maxBytes;
        final Set<String> extensions;
        final int sizeErrcode;

        Kind(long maxBytes, Set<String> extensions, int sizeErrcode) {
            this.maxBytes = maxBytes;
            this.extensions = extensions;
            this.sizeErrcode = sizeErrcode;
        }

        static Kind of(String type) {
            if (type == null) {
                return null;
            }
            for (Kind kind : values()) {
                if (kind.name().equalsIgnoreCase(type)) {
                    return kind;
                }
            }
            return null;
        }

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Clock clock;
    private final Map<String, StoredMedia> media = new LinkedHashMap<>();
    private final List<MediaUpload> uploads = new ArrayList<>();
    private final List<MediaFetch> fetches = new ArrayList<>();

    MediaStore(Clock clock) {
        this.clock = clock;
    }

    /** Stores media as if a user had sent it; the id is served for three days from now. */
    synchronized String seed(String corpId, String type, byte[] bytes, String contentType, String filename) {
        String id = newMediaId();
        media.put(id, new StoredMedia(corpId, type, filename, contentType, bytes.clone(), clock.instant()));
        return id;
    }

    /** The answer to {@code media/get}: the bytes, or (bytes null) the errcode to answer as JSON. */
    record Served(byte[] bytes, String contentType, String filename, int errcode) {
    }

    synchronized Served get(String corpId, String mediaId) {
        Instant now = clock.instant();
        StoredMedia stored = mediaId == null ? null : media.get(mediaId);
        int errcode = validity(corpId, mediaId, stored, now);
        fetches.add(new MediaFetch(now, corpId, mediaId, errcode, errcode == WeComErrors.OK ? stored.bytes().length : 0));
        if (errcode != WeComErrors.OK) {
            return new Served(null, null, null, errcode);
        }
        return new Served(stored.bytes(), stored.contentType(), stored.filename(), WeComErrors.OK);
    }

    /**
     * The errcode {@code message/send} answers for a {@code msgtype} of {@code image}, {@code voice},
     * {@code video} or {@code file} carrying this id: 41006 if empty, 40007 if unknown to the corp,
     * expired, or of another type. An image message needs an image, a voice or video message its own
     * type; a file message sends any media as a file. Not recorded as a fetch: sending is no download.
     */
    synchronized int sendable(String corpId, String mediaId, String msgtype) {
        StoredMedia stored = mediaId == null ? null : media.get(mediaId);
        int errcode = validity(corpId, mediaId, stored, clock.instant());
        if (errcode != WeComErrors.OK || msgtype.equals("file")) {
            return errcode;
        }
        return msgtype.equalsIgnoreCase(stored.type()) ? WeComErrors.OK : WeComErrors.INVALID_MEDIA_ID;
    }

    /** The media behind an id whatever its corp or age, for assertions; bytes copied. */
    synchronized Optional<StoredMedia> find(String mediaId) {
        StoredMedia stored = mediaId == null ? null : media.get(mediaId);
        return Optional.ofNullable(stored).map(m -> new StoredMedia(m.corpId(), m.type(), m.filename(),
                m.contentType(), m.bytes().clone(), m.createdAt()));
    }

    /** The answer to {@code media/upload}: the new id, or the errcode (id then null). */
    record Uploaded(String mediaId, String type, Instant createdAt, int errcode) {
    }

    synchronized Uploaded upload(String corpId, String type, String filename, String contentType, byte[] bytes) {
        Instant now = clock.instant();
        Kind kind = Kind.of(type);
        int errcode;
        if (kind == null) {
            errcode = WeComErrors.INVALID_MEDIA_TYPE;
        } else if (bytes == null) {
            errcode = WeComErrors.MEDIA_DATA_MISSING;
        } else if (bytes.length <= 5) {
            errcode = WeComErrors.INVALID_FILE_SIZE;   // "every file over 5 bytes"
        } else if (bytes.length > kind.maxBytes) {
            errcode = kind.sizeErrcode;
        } else if (!kind.extensions.isEmpty() && !kind.extensions.contains(extension(filename))) {
            errcode = WeComErrors.INVALID_FILE_TYPE;
        } else {
            errcode = WeComErrors.OK;
        }
        String id = null;
        if (errcode == WeComErrors.OK) {
            id = newMediaId();
            media.put(id, new StoredMedia(corpId, kind.wire(), filename, contentType, bytes.clone(), now));
        }
        uploads.add(new MediaUpload(now, corpId, type, filename, contentType, bytes == null ? new byte[0] : bytes.clone(),
                errcode, id));
        return new Uploaded(id, kind == null ? type : kind.wire(), now, errcode);
    }

    synchronized List<MediaUpload> uploads() {
        return List.copyOf(uploads);
    }

    synchronized List<MediaFetch> fetches() {
        return List.copyOf(fetches);
    }

    synchronized void clearRecords() {
        uploads.clear();
        fetches.clear();
    }

    private static int validity(String corpId, String mediaId, StoredMedia stored, Instant now) {
        if (mediaId == null || mediaId.isEmpty()) {
            return WeComErrors.MEDIA_ID_MISSING;
        }
        if (stored == null || !stored.corpId().equals(corpId) || !now.isBefore(stored.createdAt().plus(MEDIA_TTL))) {
            // WeCom answers an expired id like an unknown one: 40007 invalid media_id.
            return WeComErrors.INVALID_MEDIA_ID;
        }
        return WeComErrors.OK;
    }

    private static String extension(String filename) {
        if (filename == null) {
            return "";
        }
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static String newMediaId() {
        byte[] bytes = new byte[36];
        ThreadLocalRandom.current().nextBytes(bytes);
        // WeCom's ids start with a digit and are URL-safe; the prefix makes them recognisable in logs.
        return "3" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
