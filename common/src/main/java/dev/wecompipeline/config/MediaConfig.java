package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.SECONDS;

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

    private static final String S = YAML_SECTION;

    public static final Setting<Integer> MAX_IMAGE_BYTES = Setting.integer("MEDIA_MAX_IMAGE_BYTES", S, "max_image_bytes",
                    10 << 20)
            .validatedBy(Validators.atLeast(1))
            .doc("largest image the worker fetches with `media/get` ([Media in](#media-in)), and largest image an "
                    + "agent may answer with");
    public static final Setting<Integer> MAX_VOICE_BYTES = Setting.integer("MEDIA_MAX_VOICE_BYTES", S, "max_voice_bytes",
                    2 << 20)
            .validatedBy(Validators.atLeast(1)).doc("largest voice note fetched");
    public static final Setting<Integer> MAX_VIDEO_BYTES = Setting.integer("MEDIA_MAX_VIDEO_BYTES", S, "max_video_bytes",
                    10 << 20)
            .validatedBy(Validators.atLeast(1)).doc("largest video fetched");
    /** Larger files need Range requests at WeCom; 20 MB is also its upload limit. */
    public static final Setting<Integer> MAX_FILE_BYTES = Setting.integer("MEDIA_MAX_FILE_BYTES", S, "max_file_bytes",
                    20 << 20)
            .validatedBy(Validators.atLeast(1)).doc("largest file fetched, and largest file an agent may answer with");
    /** Off: not every OpenAI-compatible server accepts image parts. */
    public static final Setting<Boolean> OPENAI_VISION = Setting.bool("OPENAI_VISION", S, "openai_vision", false)
            .doc("the `openai` agent gets fetched images as `image_url` parts (data URLs); otherwise a one-line "
                    + "description");
    /** None: a model's answer can name any URL, so fetching one is opt-in per host (no SSRF). */
    public static final Setting<List<String>> AGENT_MEDIA_HOSTS = Setting.list("AGENT_MEDIA_HOSTS", S,
                    "agent_media_hosts", List.of())
            .defaultShownAs("empty (no link fetched)")
            .doc("hosts (`host` or `host:port`) whose image links in an `openai` or `hermes` answer are fetched and "
                    + "attached ([Agents](#agents)); no scheme, path or wildcard");
    /** Enough for a 10 MB image from a slow host; the whole answer is still bounded by AGENT_TIMEOUT. */
    public static final Setting<Duration> AGENT_MEDIA_FETCH_TIMEOUT = Setting.duration("AGENT_MEDIA_FETCH_TIMEOUT", S,
                    "agent_media_fetch_timeout", Duration.ofSeconds(30), SECONDS)
            .validatedBy(Validators.positive()).doc("longest fetch of one such image, body included");

    /** Every setting of this section, in the README's order. */
    public static final List<Setting<?>> SETTINGS = List.of(OPENAI_VISION, MAX_IMAGE_BYTES, MAX_VOICE_BYTES,
            MAX_VIDEO_BYTES, MAX_FILE_BYTES, AGENT_MEDIA_HOSTS, AGENT_MEDIA_FETCH_TIMEOUT);

    /**
     * A host name or IPv4 address, or an IPv6 address in brackets, with an optional port: nothing
     * else (no scheme, path or wildcard), so an entry means exactly one origin's host.
     */
    private static final Pattern HOST_ENTRY = Pattern.compile(
            "(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?");

    public MediaConfig {
        List<Problem> out = new ArrayList<>();
        agentMediaHosts = agentMediaHosts == null ? List.of()
                : agentMediaHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        hosts(out, AGENT_MEDIA_HOSTS.yamlKey(), agentMediaHosts);
        AGENT_MEDIA_FETCH_TIMEOUT.check(out, agentMediaFetchTimeout);
        MAX_IMAGE_BYTES.check(out, maxImageBytes);
        MAX_VOICE_BYTES.check(out, maxVoiceBytes);
        MAX_VIDEO_BYTES.check(out, maxVideoBytes);
        MAX_FILE_BYTES.check(out, maxFileBytes);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The record of {@code v}'s values. */
    public static MediaConfig from(SettingValues v) {
        return new MediaConfig(v.get(MAX_IMAGE_BYTES), v.get(MAX_VOICE_BYTES), v.get(MAX_VIDEO_BYTES),
                v.get(MAX_FILE_BYTES), v.get(OPENAI_VISION), v.get(AGENT_MEDIA_HOSTS), v.get(AGENT_MEDIA_FETCH_TIMEOUT));
    }

    public static MediaConfig defaults() {
        return from(SettingValues.DEFAULTS);
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
        return port >= 1 && port <= Validators.MAX_PORT;
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
