package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the worker fetches the media of image, voice, video and file messages with WeCom's
 * {@code cgi-bin/media/get}, what the {@code openai} agent is given of it, and what agents may
 * answer with. Media larger than its type's cap is not fetched: the agent is told so instead. An
 * agent's attachment larger than the image or file cap is not sent: the user is told so instead.
 * Defaults are WeCom's own limits.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}.
 *
 * @param maxImageBytes          largest image fetched or answered ({@code MEDIA_MAX_IMAGE_BYTES})
 * @param maxVoiceBytes          largest voice note fetched ({@code MEDIA_MAX_VOICE_BYTES})
 * @param maxVideoBytes          largest video fetched ({@code MEDIA_MAX_VIDEO_BYTES})
 * @param maxFileBytes           largest file fetched or answered ({@code MEDIA_MAX_FILE_BYTES})
 * @param openaiVision           the {@code openai} agent sends images as vision content parts ({@code OPENAI_VISION})
 * @param agentMediaHosts        hosts ({@code host} or {@code host:port}, lower case) whose image links in an
 *                               {@code openai} or {@code hermes} answer the worker fetches and attaches
 *                               ({@code AGENT_MEDIA_HOSTS}); empty: none, links stay links
 * @param agentMediaFetchTimeout the longest one such fetch may take ({@code AGENT_MEDIA_FETCH_TIMEOUT})
 */
public record MediaConfig(int maxImageBytes, int maxVoiceBytes, int maxVideoBytes, int maxFileBytes,
                          boolean openaiVision, List<String> agentMediaHosts, Duration agentMediaFetchTimeout) {

    public static final String SECTION_YAML = "media";
    public static final String YAML_SECTION = WorkerConfig.YAML_SECTION + "." + SECTION_YAML;

    public static final String MAX_IMAGE_BYTES_ENV = "MEDIA_MAX_IMAGE_BYTES";
    public static final String MAX_IMAGE_BYTES_YAML = "max_image_bytes";
    public static final int DEFAULT_MAX_IMAGE_BYTES = 10 << 20;

    public static final String MAX_VOICE_BYTES_ENV = "MEDIA_MAX_VOICE_BYTES";
    public static final String MAX_VOICE_BYTES_YAML = "max_voice_bytes";
    public static final int DEFAULT_MAX_VOICE_BYTES = 2 << 20;

    public static final String MAX_VIDEO_BYTES_ENV = "MEDIA_MAX_VIDEO_BYTES";
    public static final String MAX_VIDEO_BYTES_YAML = "max_video_bytes";
    public static final int DEFAULT_MAX_VIDEO_BYTES = 10 << 20;

    public static final String MAX_FILE_BYTES_ENV = "MEDIA_MAX_FILE_BYTES";
    public static final String MAX_FILE_BYTES_YAML = "max_file_bytes";
    /** Larger files need Range requests at WeCom; 20 MB is also its upload limit. */
    public static final int DEFAULT_MAX_FILE_BYTES = 20 << 20;

    public static final String OPENAI_VISION_ENV = "OPENAI_VISION";
    public static final String OPENAI_VISION_YAML = "openai_vision";
    /** Off: not every OpenAI-compatible server accepts image parts. */
    public static final boolean DEFAULT_OPENAI_VISION = false;

    public static final String AGENT_MEDIA_HOSTS_ENV = "AGENT_MEDIA_HOSTS";
    public static final String AGENT_MEDIA_HOSTS_YAML = "agent_media_hosts";
    /** None: a model's answer can name any URL, so fetching one is opt-in per host (no SSRF). */
    public static final List<String> DEFAULT_AGENT_MEDIA_HOSTS = List.of();

    public static final String AGENT_MEDIA_FETCH_TIMEOUT_ENV = "AGENT_MEDIA_FETCH_TIMEOUT";
    public static final String AGENT_MEDIA_FETCH_TIMEOUT_YAML = "agent_media_fetch_timeout";
    /** Enough for a 10 MB image from a slow host; the whole answer is still bounded by AGENT_TIMEOUT. */
    public static final Duration DEFAULT_AGENT_MEDIA_FETCH_TIMEOUT = Duration.ofSeconds(30);

    /**
     * A host name or IPv4 address, or an IPv6 address in brackets, with an optional port: nothing
     * else (no scheme, path or wildcard), so an entry means exactly one origin's host.
     */
    private static final Pattern HOST_ENTRY = Pattern.compile(
            "(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?");

    /** Without the agent media settings: no host allowed, the default timeout. */
    public MediaConfig(int maxImageBytes, int maxVoiceBytes, int maxVideoBytes, int maxFileBytes,
                       boolean openaiVision) {
        this(maxImageBytes, maxVoiceBytes, maxVideoBytes, maxFileBytes, openaiVision, DEFAULT_AGENT_MEDIA_HOSTS,
                DEFAULT_AGENT_MEDIA_FETCH_TIMEOUT);
    }

    public MediaConfig {
        List<Problem> out = new ArrayList<>();
        agentMediaHosts = agentMediaHosts == null ? List.of()
                : agentMediaHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        hosts(out, YAML_SECTION + "." + AGENT_MEDIA_HOSTS_YAML, agentMediaHosts);
        Checks.positive(out, YAML_SECTION + "." + AGENT_MEDIA_FETCH_TIMEOUT_YAML, agentMediaFetchTimeout);
        Checks.atLeast(out, YAML_SECTION + "." + MAX_IMAGE_BYTES_YAML, maxImageBytes, 1);
        Checks.atLeast(out, YAML_SECTION + "." + MAX_VOICE_BYTES_YAML, maxVoiceBytes, 1);
        Checks.atLeast(out, YAML_SECTION + "." + MAX_VIDEO_BYTES_YAML, maxVideoBytes, 1);
        Checks.atLeast(out, YAML_SECTION + "." + MAX_FILE_BYTES_YAML, maxFileBytes, 1);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    public static MediaConfig defaults() {
        return new MediaConfig(DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_VOICE_BYTES, DEFAULT_MAX_VIDEO_BYTES,
                DEFAULT_MAX_FILE_BYTES, DEFAULT_OPENAI_VISION);
    }

    private static void hosts(List<Problem> out, String key, List<String> entries) {
        for (String entry : entries) {
            var m = HOST_ENTRY.matcher(entry);
            if (!m.matches() || m.group(1) != null && !validPort(m.group(1))) {
                out.add(new Problem(key, "'" + entry + "' is not a host or host:port like images.example.com or "
                        + "127.0.0.1:8080 (no scheme, path or wildcard)"));
            }
        }
    }

    private static boolean validPort(String digits) {
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= Checks.MAX_PORT;
    }

    public MediaConfig withOpenaiVision(boolean vision) {
        return new MediaConfig(maxImageBytes, maxVoiceBytes, maxVideoBytes, maxFileBytes, vision, agentMediaHosts,
                agentMediaFetchTimeout);
    }

    public MediaConfig withAgentMediaHosts(List<String> hosts) {
        return new MediaConfig(maxImageBytes, maxVoiceBytes, maxVideoBytes, maxFileBytes, openaiVision, hosts,
                agentMediaFetchTimeout);
    }

    public MediaConfig withAgentMediaFetchTimeout(Duration timeout) {
        return new MediaConfig(maxImageBytes, maxVoiceBytes, maxVideoBytes, maxFileBytes, openaiVision,
                agentMediaHosts, timeout);
    }

    /** One line for the startup log. */
    public String describe() {
        return "media: max bytes image " + maxImageBytes + ", voice " + maxVoiceBytes + ", video " + maxVideoBytes
                + ", file " + maxFileBytes + ", openai vision " + (openaiVision ? "on" : "off")
                + ", agent image hosts " + (agentMediaHosts.isEmpty() ? "none" : String.join(" ", agentMediaHosts))
                + " (fetch timeout " + Durations.format(agentMediaFetchTimeout) + ")";
    }

    /** The cap of one WeCom message type ({@code image}, {@code voice}, {@code video}, {@code file}). */
    public int maxBytes(String msgType) {
        return switch (msgType) {
            case "image" -> maxImageBytes;
            case "voice" -> maxVoiceBytes;
            case "video" -> maxVideoBytes;
            default -> maxFileBytes;
        };
    }
}
