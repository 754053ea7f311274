package dev.wecompipeline.doctor;

/**
 * The outcome of one {@code doctor} check: what was checked, what was found and, when it is not
 * fine, the one thing to do about it. Never holds a secret.
 *
 * @param name   what was checked, e.g. {@code wecom gettoken (dept-a)}
 * @param status pass, warn (works, but should be fixed) or fail
 * @param detail what was found
 * @param fix    what to do; {@code null} when the check passed
 */
public record DoctorCheck(String name, Status status, String detail, String fix) {

    public enum Status {
        PASS("✓"), WARN("!"), FAIL("✗");

        private final String mark;

        Status(String mark) {
            this.mark = mark;
        }

        public String mark() {
            return mark;
        }
    }

    public static DoctorCheck pass(String name, String detail) {
        return new DoctorCheck(name, Status.PASS, detail, null);
    }

    public static DoctorCheck warn(String name, String detail, String fix) {
        return new DoctorCheck(name, Status.WARN, detail, fix);
    }

    public static DoctorCheck fail(String name, String detail, String fix) {
        return new DoctorCheck(name, Status.FAIL, detail, fix);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
