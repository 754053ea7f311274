package dev.wecompipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The worker's media settings: WeCom's limits by default, read from the environment, validated. */
class MediaConfigTest {

    @Test
    void defaults_are_wecoms_limits_and_vision_is_off() {
        MediaConfig media = ConfigLoader.load(Map.of(), Optional.empty()).media();
        assertEquals(10 << 20, media.maxBytes("image"));
        assertEquals(2 << 20, media.maxBytes("voice"));
        assertEquals(10 << 20, media.maxBytes("video"));
        assertEquals(20 << 20, media.maxBytes("file"));
        assertFalse(media.openaiVision());
    }

    @Test
    void settings_are_read_from_the_environment() {
        MediaConfig media = ConfigLoader.load(Map.of("MEDIA_MAX_VOICE_BYTES", "1000", "OPENAI_VISION", "true"),
                Optional.empty()).media();
        assertEquals(1000, media.maxBytes("voice"));
        assertTrue(media.openaiVision());
        assertTrue(ConfigLoader.load(Map.of(), Optional.empty()).describe().contains("media: max bytes image 10485760"));
    }

    @Test
    void a_cap_below_one_byte_is_refused_by_name() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Map.of("MEDIA_MAX_FILE_BYTES", "0"), Optional.empty()));
        assertTrue(e.getMessage().contains("MEDIA_MAX_FILE_BYTES") || e.getMessage().contains("max_file_bytes"),
                e.getMessage());
    }
}
