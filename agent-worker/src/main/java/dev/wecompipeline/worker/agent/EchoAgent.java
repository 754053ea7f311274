package dev.wecompipeline.worker.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Replies with what the user sent: text unchanged, anything else as a one-line description
 * ({@link MessageDescriber}), and a photo the worker fetched is sent back as an image
 * attachment, so the demo shows media in and out. For trying the pipeline end to end without a
 * model, and with a delay for watching ordering and timeouts.
 *
 * <pre>{@code
 * Agent agent = new EchoAgent(Duration.ofSeconds(2));
 * agent.reply(new AgentRequest(message, List.of()));   // "hello" after 2 s
 * }</pre>
 */
public final class EchoAgent implements Agent {

    private final Duration delay;

    /** @param delay how long each reply waits first; zero for none */
    public EchoAgent(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        this.delay = delay;
    }

    /**
     * @throws InterruptedException if interrupted during the delay (the worker gave up on it)
     */
    @Override
    public String reply(AgentRequest request) throws InterruptedException {
        if (!delay.isZero()) {
            // The delay is the product: it stands in for a slow model. Sleeping is interruptible,
            // so the worker's timeout ends it; the loop covers a sleep that wakes a little early.
            long deadline = System.nanoTime() + delay.toNanos();
            for (long left = delay.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        }
        String text = MessageDescriber.describe(request.message());
        for (FetchedMedia media : request.media()) {
            // What the worker fetched, so a round trip through the sandbox shows in the reply.
            text += media.fetched()
                    ? "\nFetched " + media.type() + ": " + media.size() + " bytes, " + media.contentType()
                    : "\nCould not fetch the " + media.type() + ": " + media.error();
        }
        return text;
    }

    /** The text of {@link #reply}, and each fetched JPG or PNG photo sent back as it came. */
    @Override
    public AgentAnswer answer(AgentRequest request) throws InterruptedException {
        String text = reply(request);
        List<OutgoingMedia> back = new ArrayList<>();
        for (FetchedMedia media : request.media()) {
            String name = photoName(media);
            if (name != null) {
                back.add(new OutgoingMedia(OutgoingMedia.IMAGE, name, media.contentType(), media.bytes()));
            }
        }
        return new AgentAnswer(text, back);
    }

    /** A filename WeCom takes for an image (JPG or PNG only), or null when the media is not such a photo. */
    private static String photoName(FetchedMedia media) {
        if (!media.fetched() || !"image".equals(media.type()) || media.contentType() == null) {
            return null;
        }
        String ct = media.contentType().toLowerCase(Locale.ROOT);
        return ct.startsWith("image/png") ? "echo.png" : ct.startsWith("image/jpeg") ? "echo.jpg" : null;
    }

    @Override
    public String name() {
        return "echo";
    }

    /** The configured delay. */
    public Duration delay() {
        return delay;
    }
}
