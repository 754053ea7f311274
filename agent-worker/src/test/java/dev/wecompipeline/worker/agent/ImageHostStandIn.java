package dev.wecompipeline.worker.agent;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import javax.imageio.ImageIO;

import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * A local image host for tests of agents' image links: serves what it was given at a path, with
 * a status, content type and optional redirect, like a CDN or a chart server would, and records
 * every request (path and query) so a test can tell what was fetched and how often.
 *
 * <pre>{@code
 * try (ImageHostStandIn host = ImageHostStandIn.start()) {
 *     host.serve("/chart.png", "image/png", ImageHostStandIn.png(0x3366cc));
 *     String link = host.url("127.0.0.1", "/chart.png");
 * }
 * }</pre>
 */
public final class ImageHostStandIn implements AutoCloseable {

    /** One request as received. */
    public record Request(String path, String query) {
    }

    private record Served(int status, String contentType, byte[] body, String location, boolean hold) {
    }

    /** How many bytes of the endless body were handed to the server so far. */
    private final java.util.concurrent.atomic.AtomicLong endlessBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile String endlessPath;

    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Held responses wait on it; {@link #close()} releases them. */
    private final CountDownLatch released = new CountDownLatch(1);
    private final Javalin app;

    private ImageHostStandIn() {
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.get("/*", this::get);
        });
    }

    /** Starts on a free port of the loopback interface. */
    public static ImageHostStandIn start() {
        ImageHostStandIn standIn = new ImageHostStandIn();
        standIn.app.start("127.0.0.1", 0);
        return standIn;
    }

    public int port() {
        return app.port();
    }

    /** {@code http://<host>:<port><path>}: the same server under any name that reaches loopback. */
    public String url(String host, String path) {
        return "http://" + host + ":" + port() + path;
    }

    /** 200 with {@code body} as {@code contentType} at {@code path}. */
    public ImageHostStandIn serve(String path, String contentType, byte[] body) {
        served.put(path, new Served(200, contentType, body, null, false));
        return this;
    }

    /** {@code status} (a 3xx) with {@code Location: location} at {@code path}. */
    public ImageHostStandIn redirect(String path, int status, String location) {
        served.put(path, new Served(status, "text/plain", new byte[0], location, false));
        return this;
    }

    /** Headers and body at {@code path} only after {@link #close()}: a host that never finishes. */
    public ImageHostStandIn hold(String path, String contentType, byte[] body) {
        served.put(path, new Served(200, contentType, body, null, true));
        return this;
    }

    /**
     * At {@code path}, 200 with a body that goes on for 1 GiB, streamed without a
     * {@code Content-Length}: only a reader that stops can finish.
     */
    public ImageHostStandIn serveEndless(String path) {
        endlessPath = path;
        return this;
    }

    /** Bytes of the endless body read from it so far (the server's buffers included). */
    public long endlessBytesServed() {
        return endlessBytes.get();
    }

    /** Every request so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void get(Context ctx) throws InterruptedException {
        requests.add(new Request(ctx.path(), ctx.queryString()));
        if (ctx.path().equals(endlessPath)) {
            ctx.status(200).contentType("image/png").result(new java.io.InputStream() {
                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0];
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (endlessBytes.get() >= 1L << 30) {
                        return -1;
                    }
                    endlessBytes.addAndGet(len);
                    return len;
                }
            });
            return;
        }
        Served s = served.get(ctx.path());
        if (s == null) {
            ctx.status(404).contentType("text/plain").result("not found");
            return;
        }
        if (s.hold()) {
            released.await();
        }
        ctx.status(s.status()).contentType(s.contentType()).result(s.body());
        if (s.location() != null) {
            ctx.header("Location", s.location());
        }
    }

    /** A real PNG of 4 by 4 pixels of one colour, distinct per colour. */
    public static byte[] png(int rgb) {
        return encode(rgb, "png");
    }

    /** A real JPEG of 4 by 4 pixels of one colour. */
    public static byte[] jpeg(int rgb) {
        return encode(rgb, "jpg");
    }

    private static byte[] encode(int rgb, String format) {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 4; x++) {
            for (int y = 0; y < 4; y++) {
                image.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Releases held responses first, so the server's threads can finish, then stops it. */
    @Override
    public void close() {
        released.countDown();
        app.stop();
    }
}
