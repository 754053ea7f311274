package dev.wecompipeline.config;

import static dev.wecompipeline.config.Fixtures.singleAppEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hardened-edge settings of the ingress: ops port, idle timeout, body data rate, connection limit. */
class IngressEdgeConfigTest {

    private static PipelineConfig load(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(singleAppEnv());
        env.putAll(extra);
        return ConfigLoader.load(env, Optional.empty());
    }

    @Test
    void settings_are_read_from_the_environment() {
        IngressConfig ingress = load(Map.of("WECOM_CALLBACK_OPS_PORT", "9645", "WECOM_CALLBACK_IDLE_TIMEOUT", "20s",
                "WECOM_CALLBACK_MIN_DATA_RATE", "0", "WECOM_CALLBACK_MAX_CONNECTIONS", "2000")).ingress();
        assertTrue(ingress.hasOpsPort());
        assertEquals(9645, ingress.opsPort());
        assertEquals(Duration.ofSeconds(20), ingress.idleTimeout());
        assertEquals(0, ingress.minDataRate());
        assertEquals(2000, ingress.maxConnections());
        assertTrue(ingress.describe().contains("ops endpoints on port 9645"), ingress.describe());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            WECOM_CALLBACK_OPS_PORT        | 8645  | WECOM_CALLBACK_OPS_PORT: must differ from the callback port (8645); leave it unset to serve /health, /ready and /metrics on the callback port
            WECOM_CALLBACK_OPS_PORT        | 70000 | WECOM_CALLBACK_OPS_PORT: must be between 0 and 65535, got 70000
            WECOM_CALLBACK_IDLE_TIMEOUT    | 2s    | WECOM_CALLBACK_IDLE_TIMEOUT: must be longer than the ack timeout (3s), got 2s
            WECOM_CALLBACK_IDLE_TIMEOUT    | 0     | WECOM_CALLBACK_IDLE_TIMEOUT: must be longer than the ack timeout (3s), got 0s
            WECOM_CALLBACK_MIN_DATA_RATE   | -1    | WECOM_CALLBACK_MIN_DATA_RATE: must be at least 0, got -1
            WECOM_CALLBACK_MAX_CONNECTIONS | -5    | WECOM_CALLBACK_MAX_CONNECTIONS: must be at least 0, got -5
            """)
    void a_bad_value_gives_one_line_naming_the_variable(String variable, String value, String expected) {
        List<String> problems = assertThrows(ConfigException.class, () -> load(Map.of(variable, value))).problems();

        assertEquals(List.of(expected), problems);
    }
}
