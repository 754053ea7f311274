package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * How the worker fetches the media of image, voice, video and file messages with WeCom's
 * {@code cgi-bin/media/get}, and what the {@code openai} agent is given of it. Media larger than
 * its type's cap is not fetched: the agent is told so instead. Defaults are WeCom's own limits.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}.
 *
 * @param maxImageBytes largest image fetched ({@code MEDIA_MAX_IMAGE_BYTES})
 * @param maxVoiceBytes largest voice note fetched ({@code MEDIA_MAX_VOICE_BYTES})
 * @param maxVideoBytes largest video fetched ({@code MEDIA_MAX_VIDEO_BYTES})
 * @param maxFileBytes  largest file fetched ({@code MEDIA_MAX_FILE_BYTES})
 * @param openaiVision  the {@code openai} agent sends images as vision content parts ({@code OPENAI_VISION})
 */
public record MediaConfig(int maxImageBytes, int maxVoiceBytes, int maxVideoBytes, int maxFileBytes,
                          boolean openaiVision) {

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

    public MediaConfig {
        List<Problem> out = new ArrayList<>();
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

    public MediaConfig withOpenaiVision(boolean vision) {
        return new MediaConfig(maxImageBytes, maxVoiceBytes, maxVideoBytes, maxFileBytes, vision);
    }

    /** One line for the startup log. */
    public String describe() {
        return "media: max bytes image " + maxImageBytes + ", voice " + maxVoiceBytes + ", video " + maxVideoBytes
                + ", file " + maxFileBytes + ", openai vision " + (openaiVision ? "on" : "off");
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
