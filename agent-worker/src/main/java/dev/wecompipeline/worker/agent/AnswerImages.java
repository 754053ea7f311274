package dev.wecompipeline.worker.agent;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wecompipeline.config.Durations;
import dev.wecompipeline.config.MediaConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the images in an {@code openai} or {@code hermes} answer into attachments, so the user gets
 * the chart a model drew instead of a link or a page of base64.
 *
 * <p>Only markdown images, {@code ![alt](url)}, are considered, in the order they appear:
 * <ul>
 *   <li>a data URL {@code data:image/png;base64,...} or {@code data:image/jpeg;base64,...} is
 *       decoded (at most {@code MEDIA_MAX_IMAGE_BYTES}). One that cannot be sent (another type,
 *       bad base64, too large) is replaced by a note, {@code [image not sent: larger than 10485760 bytes]}:
 *       left in place, it would be a wall of characters, not something to click.</li>
 *   <li>an {@code http} or {@code https} link is fetched only if its host is in
 *       {@code AGENT_MEDIA_HOSTS} ({@code host} matches the scheme's default port only,
 *       {@code host:port} that port): a model's answer can name any URL, including the worker's
 *       own network, so fetching is opt-in per host (SSRF). The fetch follows no redirect (one is
 *       a failure, or an allowed host could point anywhere), takes at most
 *       {@code AGENT_MEDIA_FETCH_TIMEOUT}, must answer 200 with {@code Content-Type} image/png or
 *       image/jpeg, and stops reading one byte past the image cap. A link to another host, or
 *       whose fetch fails, stays in the text as written, so the user can still click it; it is
 *       logged without its query string, which may hold a token.</li>
 * </ul>
 * An image that became an attachment is replaced by its alt text (so "see ![the chart](...)"
 * still reads), or removed when the alt text is blank. Filenames are the URL path's last segment
 * when it ends with {@code .png}, {@code .jpg} or {@code .jpeg}, else {@code image-N.png} or
 * {@code image-N.jpg} after the content type, N counting the answer's attachments from 1.
 *
 * <pre>{@code
 * AnswerImages images = new AnswerImages(config.media());
 * AgentAnswer answer = images.toAnswer(modelText);
 * }</pre>
 */
public final class AnswerImages {

    private static final Logger LOG = LoggerFactory.getLogger(AnswerImages.class);

    /** {@code ![alt](url)}, {@code ![alt](<url>)} and {@code ![alt](url "title")}; the URL has no spaces. */
    private static final Pattern MARKDOWN_IMAGE = Pattern.compile(
            "!\\[([^\\]\\n]*)\\]\\(\\s*<?([^\\s()<>]+)>?(?:\\s+\"[^\"\\n]*\")?\\s*\\)");
    private static final Pattern IMAGE_FILENAME = Pattern.compile("[^/\\\\]+\\.(?:png|jpe?g)", Pattern.CASE_INSENSITIVE);
    private static final Set<String> JPEG_ALIASES = Set.of("image/jpeg", "image/jpg");

    private final int maxBytes;
    private final Set<String> hosts;
    private final Duration timeout;
    /** Its own client, never following redirects, whatever the agent's client does; none without hosts. */
    private final HttpClient client;

    /** Images up to {@code media}'s image cap; links from its {@code AGENT_MEDIA_HOSTS}. */
    public AnswerImages(MediaConfig media) {
        Objects.requireNonNull(media, "media");
        this.maxBytes = media.maxImageBytes();
        this.hosts = Set.copyOf(media.agentMediaHosts());
        this.timeout = media.agentMediaFetchTimeout();
        this.client = hosts.isEmpty() ? null : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    /**
     * {@code text} with its sendable images taken out as attachments.
     *
     * @throws InterruptedException the caller was interrupted during a fetch, which is abandoned
     */
    public AgentAnswer toAnswer(String text) throws InterruptedException {
        if (text == null || !text.contains("![")) {
            return AgentAnswer.text(text);
        }
        List<OutgoingMedia> media = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        Matcher m = MARKDOWN_IMAGE.matcher(text);
        int last = 0;
        boolean changed = false;
        while (m.find()) {
            String alt = m.group(1).strip();
            String url = m.group(2);
            String replacement = m.group();
            if (url.regionMatches(true, 0, "data:", 0, 5)) {
                try {
                    media.add(decode(url, media.size() + 1));
                    replacement = alt;
                } catch (NotSent e) {
                    LOG.warn("agent: a data URL image in the answer not sent: {}", e.getMessage());
                    replacement = (alt + " [image not sent: " + e.getMessage() + "]").strip();
                }
            } else {
                URI uri = allowedLink(url);
                if (uri != null) {
                    try {
                        media.add(fetch(uri, media.size() + 1));
                        replacement = alt;
                    } catch (NotSent e) {
                        LOG.warn("agent: image {} in the answer not fetched, left as a link: {}", loggable(uri),
                                e.getMessage());
                    }
                }
            }
            changed |= !replacement.equals(m.group());
            out.append(text, last, m.start()).append(replacement);
            last = m.end();
        }
        if (!changed) {
            return AgentAnswer.text(text);
        }
        out.append(text, last, text.length());
        // An image on a line of its own leaves an empty line behind.
        return new AgentAnswer(out.toString().replaceAll("[ \\t]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").strip(),
                media);
    }

    private OutgoingMedia decode(String url, int n) throws NotSent {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw new NotSent("not a data URL");
        }
        String[] header = url.substring(5, comma).toLowerCase(Locale.ROOT).split(";");
        String type = header[0].strip();
        if (!Attachments.IMAGE_CONTENT_TYPES.contains(type) && !JPEG_ALIASES.contains(type)) {
            throw new NotSent((type.isEmpty() ? "no type" : type) + " is not PNG or JPEG");
        }
        if (!List.of(header).contains("base64")) {
            throw new NotSent("not base64");
        }
        String payload = url.substring(comma + 1);
        // Decoded size is about 3/4 of the text: refuse a huge one without decoding it.
        if (payload.length() / 4L * 3 - 2 > maxBytes) {
            throw new NotSent("larger than " + maxBytes + " bytes");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw new NotSent("bad base64");
        }
        return image(bytes, JPEG_ALIASES.contains(type) ? "image/jpeg" : type, null, n);
    }

    /** The link as a URI if it may be fetched: http(s), no user info, host allowed; else null. */
    private URI allowedLink(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            return null;
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int defaultPort = scheme.equals("https") ? 443 : 80;
        int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
        boolean allowed = uri.getRawUserInfo() == null
                && (hosts.contains(host + ":" + port) || port == defaultPort && hosts.contains(host));
        if (!allowed) {
            LOG.debug("agent: image {} in the answer left as a link: its host is not in {}", loggable(uri),
                    MediaConfig.AGENT_MEDIA_HOSTS.env());
            return null;
        }
        return uri;
    }

    private OutgoingMedia fetch(URI uri, int n) throws NotSent, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "image/png, image/jpeg").GET().build();
        CompletableFuture<HttpResponse<Fetched>> response = client.sendAsync(request, this::bodyFor);
        Fetched fetched;
        try {
            // The request timeout covers the wait for headers only; this one the whole body too.
            fetched = response.get(timeout.toNanos(), TimeUnit.NANOSECONDS).body();
        } catch (TimeoutException e) {
            response.cancel(true);
            throw new NotSent("no whole answer within " + Durations.format(timeout));
        } catch (InterruptedException e) {
            response.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof NotSent notSent) {
                    throw notSent;
                }
            }
            Throwable cause = e.getCause();
            throw new NotSent(cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        String segment = uri.getPath() == null ? "" : uri.getPath().substring(uri.getPath().lastIndexOf('/') + 1);
        return image(fetched.bytes(), fetched.contentType(), IMAGE_FILENAME.matcher(segment).matches() ? segment : null, n);
    }

    /** Reads the body only of a 200 with an image type and not announced as too large. */
    private HttpResponse.BodySubscriber<Fetched> bodyFor(HttpResponse.ResponseInfo info) {
        int status = info.statusCode();
        if (status >= 300 && status < 400) {
            return refused("redirected (" + status + "), and redirects are not followed");
        }
        if (status != 200) {
            return refused("answered " + status);
        }
        String type = info.headers().firstValue("Content-Type").map(v -> v.split(";")[0].strip()
                .toLowerCase(Locale.ROOT)).orElse("");
        if (!Attachments.IMAGE_CONTENT_TYPES.contains(type) && !JPEG_ALIASES.contains(type)) {
            return refused("Content-Type " + (type.isEmpty() ? "missing" : type) + ", not image/png or image/jpeg");
        }
        long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (length > maxBytes) {
            return refused("larger than " + maxBytes + " bytes");
        }
        return new CappedBody(maxBytes, JPEG_ALIASES.contains(type) ? "image/jpeg" : type);
    }

    private static OutgoingMedia image(byte[] bytes, String contentType, String filename, int n) throws NotSent {
        if (bytes.length < Attachments.MIN_BYTES) {
            throw new NotSent("smaller than " + Attachments.MIN_BYTES + " bytes");
        }
        String name = filename != null ? Attachments.printable(filename)
                : "image-" + n + ("image/png".equals(contentType) ? ".png" : ".jpg");
        return new OutgoingMedia(OutgoingMedia.IMAGE, name, contentType, bytes);
    }

    /** scheme://host:port/path: never the query or fragment, which may hold a token. */
    static String loggable(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : Attachments.printable(uri.getRawPath()));
    }

    private static HttpResponse.BodySubscriber<Fetched> refused(String reason) {
        return new CappedBody(reason);
    }

    record Fetched(byte[] bytes, String contentType) {
    }

    /**
     * Collects a body of at most {@code max} bytes, cancelling the exchange when it grows past
     * that; or, built with a reason, cancels at once and fails with it, reading nothing.
     */
    private static final class CappedBody implements HttpResponse.BodySubscriber<Fetched> {
        private final CompletableFuture<Fetched> result = new CompletableFuture<>();
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final int max;
        private final String contentType;
        private final String refusal;
        private Flow.Subscription subscription;

        CappedBody(int max, String contentType) {
            this.max = max;
            this.contentType = contentType;
            this.refusal = null;
        }

        CappedBody(String refusal) {
            this.max = 0;
            this.contentType = null;
            this.refusal = refusal;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (refusal != null) {
                s.cancel();
                result.completeExceptionally(new NotSent(refusal));
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (kept.size() + (long) item.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new NotSent("larger than " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                kept.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(new Fetched(kept.toByteArray(), contentType));
        }

        @Override
        public CompletionStage<Fetched> getBody() {
            return result;
        }
    }

    /** Why one image is not sent; the answer goes on without it. */
    private static final class NotSent extends Exception {
        NotSent(String reason) {
            super(reason, null, false, false);
        }
    }
}
