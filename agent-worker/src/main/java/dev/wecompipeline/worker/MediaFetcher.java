package dev.wecompipeline.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.wecompipeline.config.AppConfig;
import dev.wecompipeline.config.MediaConfig;
import dev.wecompipeline.kafka.InboundMessage;
import dev.wecompipeline.wecom.ErrorCodes;
import dev.wecompipeline.wecom.PermanentWeComException;
import dev.wecompipeline.wecom.TokenCache;
import dev.wecompipeline.wecom.WeComApi.MediaAnswer;
import dev.wecompipeline.wecom.WeComClient;
import dev.wecompipeline.wecom.WeComException;
import dev.wecompipeline.worker.agent.FetchedMedia;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the media of an image, voice, video or file message with WeCom's {@code media/get},
 * using the app's token from the shared {@link TokenCache}, into a temporary file that lives for
 * the agent call only. Retries as the reply-service does: {@code -1}, {@code 45009} and
 * {@code 45033} after a backoff, a token WeCom refused ({@code 40014}, {@code 42001}, ...) is
 * dropped and fetched again. A {@code MediaId} WeCom no longer serves (it keeps media three days),
 * media over its type's cap and any other refusal do not fail the message: the agent gets a
 * {@link FetchedMedia} carrying the reason and answers anyway.
 *
 * <p>Runs on the agent's thread, inside the agent timeout.
 */
final class MediaFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(MediaFetcher.class);
    /** Message types whose {@code MediaId} names media to fetch. */
    static final Set<String> MEDIA_TYPES = Set.of("image", "voice", "video", "file");

    /** Something that answers with media, e.g. an agent call. */
    interface Call<T> {
        T apply(List<FetchedMedia> media) throws Exception;
    }

    /** A fetcher that fetches nothing: no app has WeCom credentials (the agent gets the description). */
    static final MediaFetcher NONE = new MediaFetcher(Map.of(), null, null, MediaConfig.defaults(), null);

    private final Map<String, AppConfig> apps;
    private final WeComClient client;
    private final WeComCalls calls;
    private final MediaConfig config;
    private final Path tempDir;

    /**
     * @param apps    apps by name, with their secrets
     * @param tempDir where fetched media is kept during a call; null for the system's temp directory
     */
    MediaFetcher(List<AppConfig> apps, WeComClient client, TokenCache tokens, MediaConfig config, Path tempDir) {
        this(apps.stream().filter(a -> a.corpSecret() != null).collect(Collectors.toMap(AppConfig::name, a -> a)),
                client, tokens, config, tempDir);
    }

    private MediaFetcher(Map<String, AppConfig> apps, WeComClient client, TokenCache tokens, MediaConfig config,
                         Path tempDir) {
        this.apps = Map.copyOf(apps);
        this.client = client;
        this.calls = client == null ? null : new WeComCalls(client, tokens);
        this.config = config;
        this.tempDir = tempDir;
    }

    /** Fetches the message's media, runs {@code call} with it, and deletes the local copies however the call ends. */
    <T> T around(InboundMessage message, Call<T> call) throws Exception {
        List<FetchedMedia> media = fetch(message);
        try {
            return call.apply(media);
        } finally {
            for (FetchedMedia m : media) {
                if (m.file() != null) {
                    try {
                        Files.deleteIfExists(m.file());
                    } catch (IOException e) {
                        LOG.warn("Could not delete fetched media {}: {}", m.file(), e.toString());
                    }
                }
            }
        }
    }

    /** The message's media: empty for other types or without a MediaId; one entry (fetched or not) otherwise. */
    List<FetchedMedia> fetch(InboundMessage message) throws InterruptedException {
        String mediaId = message.fields().get("MediaId");
        if (!MEDIA_TYPES.contains(message.msgType()) || mediaId == null || mediaId.isBlank()) {
            return List.of();
        }
        String type = message.msgType();
        String name = message.fields().get("FileName");
        AppConfig app = message.appName() == null ? null : apps.get(message.appName());
        if (app == null || client == null) {
            return List.of(failed(type, mediaId, name, "the worker has no WeCom credentials for app " + message.appName()));
        }
        int cap = config.maxBytes(type);
        WeComCalls.Outcome<MediaAnswer> outcome = calls.call(app, token -> client.mediaGet(token, mediaId, cap));
        if (outcome.ok()) {
            return List.of(stored(type, mediaId, name, outcome.answer(), message));
        }
        WeComException failure = outcome.failure();
        String why = "too_large".equals(failure.code()) ? "larger than the " + type + " limit of " + cap + " bytes"
                : failure.errcode() == ErrorCodes.INVALID_MEDIA_ID ? "expired or unknown (WeCom keeps media for 3 days)"
                : failure instanceof PermanentWeComException ? "WeCom refused it (" + failure.code() + " " + failure.errmsg() + ")"
                : "WeCom did not answer (" + failure.code() + ")";
        return List.of(failed(type, mediaId, name, why));
    }

    private FetchedMedia stored(String type, String mediaId, String name, MediaAnswer answer, InboundMessage message) {
        try {
            Path file = tempDir == null ? Files.createTempFile("wecom-media-", suffix(answer, name))
                    : Files.createTempFile(tempDir, "wecom-media-", suffix(answer, name));
            Files.write(file, answer.bytes());
            String filename = answer.filename() != null ? answer.filename() : name;
            LOG.debug("Fetched {} of {} bytes for message {} (trace {})", type, answer.bytes().length,
                    message.messageId(), message.traceId());
            return new FetchedMedia(type, mediaId, answer.contentType(), filename, answer.bytes().length, file, null);
        } catch (IOException e) {
            return failed(type, mediaId, name, "could not be stored locally: " + e.getClass().getSimpleName());
        }
    }

    private static String suffix(MediaAnswer answer, String name) {
        String filename = answer.filename() != null ? answer.filename() : name;
        if (filename != null && filename.matches(".*\\.[A-Za-z0-9]{1,8}")) {
            return filename.substring(filename.lastIndexOf('.'));
        }
        String ct = answer.contentType() == null ? "" : answer.contentType();
        return ct.startsWith("image/jpeg") ? ".jpg" : ct.startsWith("image/png") ? ".png"
                : ct.startsWith("audio/amr") ? ".amr" : ct.startsWith("video/mp4") ? ".mp4" : ".bin";
    }

    private static FetchedMedia failed(String type, String mediaId, String name, String why) {
        return new FetchedMedia(type, mediaId, null, name, 0, null, why);
    }
}
