package dev.wecompipeline.config;

import static dev.wecompipeline.config.Fixtures.AES_KEY_A;
import static dev.wecompipeline.config.Fixtures.SAMPLE_AES_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppConfigTest {

    @Test
    void tencents_sample_key_decodes_to_a_32_byte_aes_key() {
        AppConfig app = new AppConfig("sample", "wx5823bf96d3bd56c7", "secret", "1", "QDG6eK", SAMPLE_AES_KEY);

        assertEquals(32, app.aesKey().length);
        assertArrayEquals(Base64.getDecoder().decode(SAMPLE_AES_KEY + "="), app.aesKey());
    }

    @Test
    void an_app_built_in_code_reports_every_problem_with_its_name() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new AppConfig("dept/a", null, "", "10000000000", "t", AES_KEY_A + "A"));

        assertEquals(List.of(
                "name (dept/a): 'dept/a' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                "corp_id (dept/a): is required",
                "corp_secret (dept/a): is required",
                "agent_id (dept/a): must be a number like 1000002, got '10000000000'",
                "encoding_aes_key (dept/a): must be 43 characters, got 44"), e.problems());
    }

    @Test
    void a_pipeline_built_in_code_rejects_a_port_out_of_range_naming_the_yaml_key() {
        ConfigException e = assertThrows(ConfigException.class, () -> new PipelineConfig(List.of(),
                IngressConfig.defaults(), KafkaConfig.defaults(), WorkerConfig.defaults(), OpenAiConfig.defaults(),
                HermesConfig.defaults(), ReplyConfig.defaults(), EngineConfig.defaults(),
                PipelineConfig.DATA_DIR.defaultValue(), 70000, List.of(), MediaConfig.defaults()));

        assertEquals(List.of("pipeline.kafka_port: must be between 0 and 65535, got 70000"), e.problems());
    }

    @Test
    void port_zero_is_accepted_so_tests_can_ask_for_a_free_port() {
        WorkerConfig worker = WorkerConfig.from(SettingValues.DEFAULTS.with(WorkerConfig.PORT, 0));

        assertEquals(0, worker.port());
    }

    @Test
    void an_app_without_a_corp_secret_serves_callbacks_but_whatever_calls_wecom_refuses_it() {
        AppConfig callbacksOnly = new AppConfig("default", "ww1", null, "1000002", "t", AES_KEY_A);

        ConfigException e = assertThrows(ConfigException.class, () -> callbacksOnly.requireCorpSecret("the reply-service"));

        assertEquals(List.of("WECOM_CALLBACK_CORP_SECRET (or corp_secret): is required by the reply-service, which "
                + "calls WeCom's API"), e.problems());
        assertEquals(32, callbacksOnly.aesKey().length);
    }

    @Test
    void the_ingress_configuration_loads_without_the_corp_secret() {
        PipelineConfig config = ConfigLoader.load(java.util.Map.of("WECOM_CALLBACK_CORP_ID", "ww1",
                "WECOM_CALLBACK_AGENT_ID", "1000002", "WECOM_CALLBACK_TOKEN", "t",
                "WECOM_CALLBACK_ENCODING_AES_KEY", AES_KEY_A), java.util.Optional.empty()).requireApps();

        assertEquals(null, config.apps().get(0).corpSecret());
        assertEquals("ww1", config.apps().get(0).corpId());
    }
}
