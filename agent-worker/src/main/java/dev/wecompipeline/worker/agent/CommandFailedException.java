package dev.wecompipeline.worker.agent;

/** The command agent's program exited with a non-zero code. */
public class CommandFailedException extends AgentException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String stderrTail;

    public CommandFailedException(String program, int exitCode, String stderrTail) {
        super(program + " exited with code " + exitCode
                + (stderrTail.isBlank() ? " and no stderr output" : ": " + stderrTail.strip()));
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
    }

    /** The program's exit code, never 0. */
    public int exitCode() {
        return exitCode;
    }

    /** The last few KiB the program wrote to stderr, as UTF-8 text; may be empty. */
    public String stderrTail() {
        return stderrTail;
    }
}
