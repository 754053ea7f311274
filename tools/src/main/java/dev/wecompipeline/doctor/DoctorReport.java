package dev.wecompipeline.doctor;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.wecompipeline.kafka.JsonSerde;

/** The doctor's checks as text for people (one ✓/!/✗ line each, the fix below a failure) or JSON for scripts. */
public record DoctorReport(List<DoctorCheck> checks, List<String> notes) {

    public DoctorReport {
        checks = List.copyOf(checks);
        notes = List.copyOf(notes);
    }

    public long failures() {
        return checks.stream().filter(DoctorCheck::failed).count();
    }

    /** 0 only when no check failed (warnings do not fail: the pipeline works as configured). */
    public int exitCode() {
        return failures() == 0 ? 0 : 1;
    }

    public void printText(PrintStream out) {
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(10);
        for (DoctorCheck c : checks) {
            out.printf("%s %-" + width + "s  %s%n", c.status().mark(), c.name(), c.detail());
            if (c.fix() != null) {
                out.printf("  %" + width + "s  fix: %s%n", "", c.fix());
            }
        }
        notes.forEach(n -> out.println("doctor: " + n));
        long warnings = checks.stream().filter(c -> c.status() == DoctorCheck.Status.WARN).count();
        out.println(failures() == 0
                ? "doctor: all " + checks.size() + " checks passed" + (warnings > 0 ? " (" + warnings + " warning(s))" : "")
                : "doctor: " + failures() + " of " + checks.size() + " checks failed");
    }

    public void printJson(PrintStream out) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ok", failures() == 0);
        json.put("failures", failures());
        json.put("checks", checks.stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("status", c.status().name().toLowerCase(java.util.Locale.ROOT));
            m.put("detail", c.detail());
            m.put("fix", c.fix());
            return m;
        }).toList());
        json.put("notes", notes);
        try {
            out.println(JsonSerde.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
