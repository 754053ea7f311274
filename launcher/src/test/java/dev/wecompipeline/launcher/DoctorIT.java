package dev.wecompipeline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.wecompipeline.sandbox.ApiEndpoint;
import dev.wecompipeline.sandbox.SandboxConfig;
import dev.wecompipeline.sandbox.WeComApiSandbox;
import dev.wecompipeline.sandbox.WeComErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code doctor} and {@code setup} as commands of the packaged launcher: listed in --help, exit codes, UTF-8 marks. */
class DoctorIT {

    @TempDir
    Path workDir;

    @Test
    void help_lists_setup_and_doctor() throws Exception {
        try (LauncherProcess help = LauncherProcess.start(workDir, Map.of(), "--help")) {
            assertEquals(0, help.waitFor(Duration.ofSeconds(30)));
            assertTrue(help.output().contains("setup ") && help.output().contains("doctor "), help.output());
        }
        for (String command : new String[] {"setup", "doctor"}) {
            try (LauncherProcess help = LauncherProcess.start(workDir, Map.of(), command, "--help")) {
                assertEquals(0, help.waitFor(Duration.ofSeconds(30)), help.output());
            }
        }
    }

    @Test
    void doctor_process_exits_non_zero_with_the_fix_for_an_ip_missing_from_the_trusted_list() throws Exception {
        try (WeComApiSandbox wecom = new WeComApiSandbox(SandboxConfig.builder().host("127.0.0.1").port(0).build()).start()) {
            wecom.registerApp("wwdoctorit", "secret", 1000002);
            wecom.faults().failNext(ApiEndpoint.GETTOKEN, WeComErrors.IP_NOT_ALLOWED, 1);
            Map<String, String> env = Map.of("WECOM_CALLBACK_CORP_ID", "wwdoctorit", "WECOM_CALLBACK_CORP_SECRET", "secret",
                    "WECOM_CALLBACK_AGENT_ID", "1000002", "WECOM_CALLBACK_TOKEN", "doctorit",
                    "WECOM_CALLBACK_ENCODING_AES_KEY", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
                    "WECOM_CALLBACK_ALLOW_ALL_USERS", "true", "WECOM_API_BASE", wecom.baseUrl());
            try (LauncherProcess doctor = LauncherProcess.start(workDir, env, "doctor", "--skip", "kafka,callback")) {
                assertEquals(1, doctor.waitFor(Duration.ofSeconds(60)), doctor.output());
                assertTrue(doctor.output().contains("✗ wecom gettoken (default)  errcode 60020"), doctor.output());
                assertTrue(doctor.output().contains("fix: add this server's IP 127.0.0.1 to the app's trusted IPs"),
                        doctor.output());
            }
        }
    }
}
