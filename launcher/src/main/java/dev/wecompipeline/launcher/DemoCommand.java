package dev.wecompipeline.launcher;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.wecompipeline.bench.CallbackSimulator;
import dev.wecompipeline.config.ConfigLoader;
import dev.wecompipeline.config.PipelineConfig;
import dev.wecompipeline.sandbox.ReceivedMessage;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.StoredMedia;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-pipeline demo}: the whole pipeline plus a local WeCom API sandbox and a few
 * simulated users, so a newcomer sees round trips without a WeCom account or network.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
                "Runs all-in-one against a local WeCom API sandbox with simulated users",
                "(Chinese and English text, a WeCom retry of the same MsgId, a reply long enough",
                "to be split, a photo in and an image out), prints each round trip and a summary, and exits.",
                "--interactive lets you type as a WeCom user. AGENT=openai OPENAI_BASE_URL=... uses a real model."})
final class DemoCommand implements Callable<Integer> {

    static final String CORP = "wwdemo0000000001";
    static final String AGENT_ID = "1000002";
    static final String TOKEN = "demoToken";
    /** A demo key; never use it for a real app. */
    static final String AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    static final String SECRET = "demo-corp-secret";

    @Option(names = "--interactive", description = "Type messages as a WeCom user and see the answers.")
    boolean interactive;

    @Option(names = "--timeout", defaultValue = "PT45S", description = "How long to wait for all replies (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("wecom-demo");
        try (WeComApiSandbox sandbox = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build())
                .start()) {
            sandbox.registerApp(CORP, SECRET, Integer.parseInt(AGENT_ID));
            PipelineConfig config = ConfigLoader.load(demoEnv(sandbox.baseUrl(), data), Optional.empty());
            System.out.println("demo: WeCom API sandbox at " + sandbox.baseUrl() + " (no network, no WeCom account)");
            try (PipelineRuntime runtime = PipelineRuntime.start(config,
                    died -> System.err.println("demo: a processing loop died: " + died))) {
                String url = "http://127.0.0.1:" + runtime.ingressPort() + config.ingress().path();
                CallbackSimulator sim = new CallbackSimulator(url, TOKEN, AES_KEY, CORP, AGENT_ID);
                return interactive ? interactive(sim, sandbox) : scripted(sim, sandbox);
            }
        } finally {
            TemporaryDirectories.deleteQuietly(data);
        }
    }

    private Map<String, String> demoEnv(String apiBase, Path data) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("WECOM_CALLBACK_") || k.equals("KAFKA_BOOTSTRAP_SERVERS")
                || k.equals("WECOM_PIPELINE_CONFIG"));
        env.put("WECOM_CALLBACK_CORP_ID", CORP);
        env.put("WECOM_CALLBACK_CORP_SECRET", SECRET);
        env.put("WECOM_CALLBACK_AGENT_ID", AGENT_ID);
        env.put("WECOM_CALLBACK_TOKEN", TOKEN);
        env.put("WECOM_CALLBACK_ENCODING_AES_KEY", AES_KEY);
        env.put("WECOM_CALLBACK_ALLOW_ALL_USERS", "true");
        env.put("WECOM_CALLBACK_HOST", "127.0.0.1");
        env.put("WECOM_CALLBACK_PORT", "0");
        env.put("WECOM_API_BASE", apiBase);
        env.put("WECOM_PIPELINE_DATA_DIR", data.toString());
        env.put("WECOM_PIPELINE_KAFKA_PORT", "0");
        env.put("KAFKA_TOPIC_PARTITIONS", "4");
        env.putIfAbsent("AGENT", "echo");
        return env;
    }

    private record Sent(String user, String text, long sentAtNanos) {
    }

    private int scripted(CallbackSimulator sim, WeComApiSandbox sandbox) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        StringBuilder longBuilder = new StringBuilder();
        for (int i = 1; i <= 90; i++) {
            // Numbered, so no two chunks are identical (WeCom's duplicate check would drop a repeat).
            longBuilder.append("第").append(i).append("句：这是一个很长的回复，用来演示拆分。");
        }
        String longText = longBuilder + " The end.";
        List<String[]> script = List.of(
                new String[] {"zhangsan", "你好！请问今天的会议几点开始？"},
                new String[] {"alice", "Hello! Can you summarise yesterday's meeting?"},
                new String[] {"lisi", "帮我写一封请假邮件"},
                new String[] {"bob", "What's the weather like in Shenzhen?"},
                new String[] {"wangwu", longText});
        List<Sent> sent = new ArrayList<>();
        int n = 0;
        for (String[] line : script) {
            var request = sim.textCallback(line[0], "demo-" + System.currentTimeMillis() + "-" + n++, line[1]);
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            System.out.printf("demo: %-9s -> ingress  %d %s (%.0f ms)  \"%s\"%n", line[0], r.statusCode(), r.body(),
                    (System.nanoTime() - t0) / 1e6, abbreviate(line[1]));
            if (line[0].equals("alice")) {
                // WeCom retries a callback it thinks failed: same body, same MsgId.
                HttpResponse<String> retry = http.send(request, HttpResponse.BodyHandlers.ofString());
                System.out.printf("demo: %-9s -> ingress  %d %s  (WeCom retry of the same MsgId: acknowledged, not answered twice)%n",
                        line[0], retry.statusCode(), retry.body());
            }
            sent.add(new Sent(line[0], line[1], t0));
        }
        boolean echo = "echo".equalsIgnoreCase(System.getenv().getOrDefault("AGENT", "echo"));
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> answeredAt = new HashMap<>();
        while (answeredAt.size() < sent.size() && System.nanoTime() < deadline) {
            for (Sent s : sent) {
                if (!answeredAt.containsKey(s.user()) && complete(sandbox.deliveredTo(CORP, s.user()), s.text(), echo)) {
                    answeredAt.put(s.user(), System.nanoTime());
                    List<ReceivedMessage> d = sandbox.deliveredTo(CORP, s.user());
                    System.out.printf("demo: %-9s <- WeCom    %d message%s in %.0f ms  \"%s\"%n", s.user(), d.size(),
                            d.size() == 1 ? "" : "s (split at 2048 bytes)", (answeredAt.get(s.user()) - s.sentAtNanos()) / 1e6,
                            abbreviate(d.get(0).content()));
                }
            }
            Thread.sleep(50); // polling the sandbox's record for the next delivery, not synchronising a test
        }
        boolean photo = photoRoundTrip(sim, sandbox, http, echo, deadline);
        int aliceReplies = sandbox.deliveredTo(CORP, "alice").size();
        System.out.printf("demo: summary: %d/%d users answered, %d messages delivered, alice answered %d time(s) despite the retry%n",
                answeredAt.size(), sent.size(), sandbox.deliveredCount(), aliceReplies);
        boolean ok = answeredAt.size() == sent.size() && aliceReplies == 1 && photo;
        System.out.println(ok ? "demo: OK" : "demo: FAILED (see the log above)");
        return ok ? 0 : 1;
    }

    /**
     * One photo in and one image out: the sandbox holds a photo as if a user had sent it, the
     * worker fetches it with {@code media/get}, the echo agent sends it back, the worker uploads it
     * with {@code media/upload}, and the reply-service sends it as an {@code image} message.
     */
    private static boolean photoRoundTrip(CallbackSimulator sim, WeComApiSandbox sandbox, HttpClient http, boolean echo,
                                          long deadline) throws Exception {
        byte[] photo = DemoPhoto.png();
        String mediaId = sandbox.seedMedia(CORP, "image", photo, "image/png", "sunset.png");
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(sim.imageCallback("zhaoliu", "demo-photo-" + System.currentTimeMillis(),
                "https://wework.qpic.cn/demo/sunset.png", mediaId), HttpResponse.BodyHandlers.ofString());
        System.out.printf("demo: %-9s -> ingress  %d %s  (a photo, %d bytes, MediaId %s...)%n", "zhaoliu", r.statusCode(),
                r.body(), photo.length, mediaId.substring(0, Math.min(8, mediaId.length())));
        // Echo answers a line and the photo; another agent answers at least something.
        int expected = echo ? 2 : 1;
        while (sandbox.deliveredTo(CORP, "zhaoliu").size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling the sandbox's record for the next delivery, not synchronising a test
        }
        List<ReceivedMessage> d = sandbox.deliveredTo(CORP, "zhaoliu");
        if (d.size() < expected) {
            System.out.println("demo: zhaoliu    <- WeCom    no answer to the photo in time");
            return false;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        for (ReceivedMessage m : d) {
            if (m.msgtype().equals("image")) {
                byte[] back = sandbox.uploadedMedia(m.content()).map(StoredMedia::bytes).orElse(new byte[0]);
                System.out.printf("demo: %-9s <- WeCom    image %s (%d bytes, %s the photo sent) in %d ms%n", "zhaoliu",
                        sandbox.uploadedMedia(m.content()).map(StoredMedia::filename).orElse("?"), back.length,
                        java.util.Arrays.equals(back, photo) ? "the same bytes as" : "not", ms);
            } else {
                System.out.printf("demo: %-9s <- WeCom    %s \"%s\"%n", "zhaoliu", m.msgtype(), abbreviate(m.content()));
            }
        }
        return !echo || d.stream().anyMatch(m -> m.msgtype().equals("image")
                && java.util.Arrays.equals(sandbox.uploadedMedia(m.content()).map(StoredMedia::bytes).orElse(null), photo));
    }

    private int interactive(CallbackSimulator sim, WeComApiSandbox sandbox) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("demo: type a message as WeCom user 'you' (empty line or Ctrl-D to quit)");
        int n = 0;
        String line;
        while ((line = in.readLine()) != null && !line.isBlank()) {
            int before = sandbox.deliveredTo(CORP, "you").size();
            http.send(sim.textCallback("you", "interactive-" + System.currentTimeMillis() + "-" + n++, line),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (sandbox.deliveredTo(CORP, "you").size() == before && System.nanoTime() < deadline) {
                Thread.sleep(50); // waiting for the agent's answer to reach the sandbox
            }
            List<ReceivedMessage> all = sandbox.deliveredTo(CORP, "you");
            for (ReceivedMessage d : all.subList(before, all.size())) {
                System.out.println("agent> " + d.content());
            }
        }
        return 0;
    }

    /** The echo agent's answer is the text itself, so every chunk must be in; other agents: any answer. */
    private static boolean complete(List<ReceivedMessage> deliveries, String original, boolean echo) {
        StringBuilder joined = new StringBuilder();
        deliveries.forEach(d -> joined.append(d.content()));
        return !deliveries.isEmpty() && (!echo || joined.toString().equals(original));
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
