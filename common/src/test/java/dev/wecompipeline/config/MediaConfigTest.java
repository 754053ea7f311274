package dev.wecompipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's media settings: WeCom's limits by default, read from the environment, validated. */
class MediaConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaults_are_wecoms_limits_and_vision_is_off() {
        MediaConfig media = ConfigLoader.load(Map.of(), Optional.empty()).media();
        assertEquals(10 << 20, media.maxBytes("image"));
        assertEquals(2 << 20, media.maxBytes("voice"));
        assertEquals(10 << 20, media.maxBytes("video"));
        assertEquals(20 << 20, media.maxBytes("file"));
        assertFalse(media.openaiVision());
        assertEquals(List.of(), media.agentMediaHosts(), "no image link is fetched unless a host is allowed");
        assertEquals(Duration.ofSeconds(30), media.agentMediaFetchTimeout());
    }

    @Test
    void agent_media_hosts_and_fetch_timeout_are_read_from_the_environment() {
        MediaConfig media = ConfigLoader.load(Map.of("AGENT_MEDIA_HOSTS", " Images.Example.com, 127.0.0.1:8080,[::1]:9000 ",
                "AGENT_MEDIA_FETCH_TIMEOUT", "5s"), Optional.empty()).media();
        assertEquals(List.of("images.example.com", "127.0.0.1:8080", "[::1]:9000"), media.agentMediaHosts());
        assertEquals(Duration.ofSeconds(5), media.agentMediaFetchTimeout());
        assertEquals(Duration.ofSeconds(12), ConfigLoader.load(Map.of("AGENT_MEDIA_FETCH_TIMEOUT", "12"),
                Optional.empty()).media().agentMediaFetchTimeout(), "a bare number is seconds");
    }

    @Test
    void agent_media_settings_are_read_from_the_worker_media_yaml_section_without_warnings() {
        PipelineConfig config = ConfigLoader.load(Map.of(), Optional.of(Fixtures.write(dir, """
                worker:
                  media:
                    agent_media_hosts: [charts.example.com, "files.example.com:8443"]
                    agent_media_fetch_timeout: 500ms
                """)));
        assertEquals(List.of("charts.example.com", "files.example.com:8443"), config.media().agentMediaHosts());
        assertEquals(Duration.ofMillis(500), config.media().agentMediaFetchTimeout());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void a_host_entry_with_a_scheme_path_wildcard_or_bad_port_is_refused_by_name() {
        for (String bad : List.of("https://images.example.com", "images.example.com/charts", "*.example.com",
                "images.example.com:0", "images.example.com:70000", "user@images.example.com")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.load(Map.of("AGENT_MEDIA_HOSTS", "ok.example.com," + bad), Optional.empty()),
                    bad);
            assertTrue(e.getMessage().contains("AGENT_MEDIA_HOSTS") && e.getMessage().contains("'" + bad + "'")
                    && e.getMessage().contains("is not a host or host:port"), e.getMessage());
        }
    }

    @Test
    void a_fetch_timeout_that_is_no_duration_or_zero_is_refused_by_name() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Map.of("AGENT_MEDIA_FETCH_TIMEOUT", "soon"), Optional.empty()));
        assertTrue(e.getMessage().contains("AGENT_MEDIA_FETCH_TIMEOUT") && e.getMessage().contains("must be a duration"),
                e.getMessage());
        ConfigException zero = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Map.of("AGENT_MEDIA_FETCH_TIMEOUT", "0s"), Optional.empty()));
        assertTrue(zero.getMessage().contains("AGENT_MEDIA_FETCH_TIMEOUT") && zero.getMessage().contains("greater than 0"),
                zero.getMessage());
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
