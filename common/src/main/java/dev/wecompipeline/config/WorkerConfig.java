package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How agent-worker runs agents: which agent, how many at once, and for how long.
 *
 * <p>YAML keys live under {@value #YAML_SECTION}.
 *
 * @param port         port of {@code /health}, {@code /ready}, {@code /metrics} when run alone; 0 picks a free port
 * @param concurrency  agent runs in flight per worker process
 * @param agent        which agent answers
 * @param echoDelay    how long the echo agent waits before echoing
 * @param agentTimeout an agent run taking longer is abandoned and the user told so
 * @param groupId      Kafka consumer group of the workers
 * @param historyTurns earlier turns kept per user for agents that use history; 0 keeps none
 * @param apology      sent to the user instead of an answer when the agent fails or times out
 * @param command      the {@code command} agent's program and arguments; empty when not configured
 * @param sessionTimeout how long the group waits for a silent worker before its partitions move to
 *                       another (a killed worker sends no LeaveGroup, so this bounds the pause)
 * @param answerMaxChars an agent answer longer than this is cut and says so
 * @param historyMaxBytes a user's stored session stays under this; the oldest turns go first
 * @param commandEnv   names of the worker's environment variables the {@code command} agent also
 *                     gets, beyond {@link #COMMAND_BASE_ENV}; never one of the pipeline's secrets
 * @param commandMaxOutputBytes stdout of one {@code command} run kept at most; beyond it the program
 *                     is stopped and the answer is what it wrote so far, marked as cut
 * @param progressNoticeAfter a message whose agent has not answered within this time gets
 *                     {@code progressNotice} first, once; zero (the default) sends none
 * @param progressNotice the short text of that notice
 */
public record WorkerConfig(int port, int concurrency, Agent agent, Duration echoDelay, Duration agentTimeout,
                           String groupId, int historyTurns, String apology, List<String> command,
                           Duration sessionTimeout, int answerMaxChars, int historyMaxBytes,
                           List<String> commandEnv, int commandMaxOutputBytes, Duration progressNoticeAfter,
                           String progressNotice) {

    /** The agents a worker can run. */
    public enum Agent {
        /** Replies with the user's text unchanged. */
        ECHO,
        /** An OpenAI-compatible chat completions endpoint. */
        OPENAI,
        /** An external program. */
        COMMAND,
        /** Hermes' API server: runs keyed by the message, the conversation kept by Hermes. */
        HERMES;

        /** The value operators write: {@code echo}, {@code openai}, {@code command}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String YAML_SECTION = "worker";

    public static final String PORT_ENV = "WORKER_PORT";
    public static final String PORT_YAML = "port";
    public static final int DEFAULT_PORT = 8646;

    public static final String CONCURRENCY_ENV = "WORKER_CONCURRENCY";
    public static final String CONCURRENCY_YAML = "concurrency";
    /** Agent runs mostly wait on a model or a process, so far more than the core count fit. */
    public static final int DEFAULT_CONCURRENCY = 64;

    public static final String AGENT_ENV = "AGENT";
    public static final String AGENT_YAML = "agent";
    public static final Agent DEFAULT_AGENT = Agent.ECHO;

    public static final String ECHO_DELAY_ENV = "AGENT_ECHO_DELAY_MS";
    public static final String ECHO_DELAY_YAML = "echo_delay_ms";
    public static final Duration DEFAULT_ECHO_DELAY = Duration.ZERO;

    public static final String AGENT_TIMEOUT_ENV = "AGENT_TIMEOUT";
    public static final String AGENT_TIMEOUT_YAML = "agent_timeout";
    /** Hermes sessions take 3-30 minutes. */
    public static final Duration DEFAULT_AGENT_TIMEOUT = Duration.ofMinutes(30);

    public static final String GROUP_ID_ENV = "WORKER_GROUP_ID";
    public static final String GROUP_ID_YAML = "group_id";
    public static final String DEFAULT_GROUP_ID = "wecom-agent-workers";

    public static final String HISTORY_TURNS_ENV = "AGENT_HISTORY_TURNS";
    public static final String HISTORY_TURNS_YAML = "history_turns";
    /** Enough for follow-up questions; each turn is sent with every request, so more costs tokens. */
    public static final int DEFAULT_HISTORY_TURNS = 10;

    public static final String APOLOGY_ENV = "AGENT_APOLOGY";
    public static final String APOLOGY_YAML = "apology";
    public static final String DEFAULT_APOLOGY =
            "Sorry, something went wrong while answering your message. Please try again.";

    /** A variable holds the words separated by whitespace; YAML takes a list (for arguments with spaces) or a string. */
    public static final String COMMAND_ENV = "AGENT_COMMAND";
    public static final String COMMAND_YAML = "command";
    public static final List<String> DEFAULT_COMMAND = List.of();

    public static final String SESSION_TIMEOUT_ENV = "WORKER_SESSION_TIMEOUT_MS";
    public static final String SESSION_TIMEOUT_YAML = "session_timeout_ms";
    /**
     * Kafka's own default. The broker accepts 6 s to 30 min by default; shorter moves a crashed
     * worker's partitions sooner but drops a worker whose heartbeats stall (long GC) more readily.
     */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);

    public static final String ANSWER_MAX_CHARS_ENV = "AGENT_ANSWER_MAX_CHARS";
    public static final String ANSWER_MAX_CHARS_YAML = "answer_max_chars";
    /**
     * About eight WeCom text messages of Chinese, twenty of English: WeCom delivers 30 a minute per
     * user, so a longer answer floods the user for minutes.
     */
    public static final int DEFAULT_ANSWER_MAX_CHARS = 16_000;

    public static final String HISTORY_MAX_BYTES_ENV = "AGENT_HISTORY_MAX_BYTES";
    public static final String HISTORY_MAX_BYTES_YAML = "history_max_bytes";
    /** Far below Kafka's 1 MiB record limit, and more history than any model prompt wants. */
    public static final int DEFAULT_HISTORY_MAX_BYTES = 256 * 1024;

    /**
     * What every {@code command} run gets of the worker's environment: enough to find programs and
     * read text; everything else only when named in {@value #COMMAND_ENV_ENV}.
     */
    public static final List<String> COMMAND_BASE_ENV = List.of("PATH", "HOME", "LANG");
    public static final String COMMAND_ENV_ENV = "AGENT_COMMAND_ENV";
    public static final String COMMAND_ENV_YAML = "command_env";
    public static final List<String> DEFAULT_COMMAND_ENV = List.of();
    /**
     * The pipeline's own secrets (and the Kafka client pass-through, which carries SASL and TLS
     * passwords): {@value #COMMAND_ENV_ENV} may not name them. A program that needs a key of its own
     * gets it under a name of its own.
     */
    public static final List<String> PIPELINE_SECRET_ENV = List.of("WECOM_CALLBACK_CORP_SECRET", "WECOM_CALLBACK_TOKEN",
            "WECOM_CALLBACK_ENCODING_AES_KEY", "OPENAI_API_KEY", "HERMES_API_KEY");
    public static final String PIPELINE_SECRET_ENV_PREFIX = "KAFKA_PROPERTIES_";

    public static final String COMMAND_MAX_OUTPUT_BYTES_ENV = "AGENT_COMMAND_MAX_OUTPUT_BYTES";
    public static final String COMMAND_MAX_OUTPUT_BYTES_YAML = "command_max_output_bytes";
    /** Far more than an answer WeCom shows (AGENT_ANSWER_MAX_CHARS cuts it anyway), little memory per run. */
    public static final int DEFAULT_COMMAND_MAX_OUTPUT_BYTES = 1024 * 1024;
    static final int MAX_COMMAND_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

    public static final String PROGRESS_NOTICE_AFTER_ENV = "AGENT_PROGRESS_NOTICE_AFTER";
    public static final String PROGRESS_NOTICE_AFTER_YAML = "progress_notice_after";
    /** Off: an operator whose agents take minutes (Hermes) turns it on, e.g. {@code 20s}. */
    public static final Duration DEFAULT_PROGRESS_NOTICE_AFTER = Duration.ZERO;

    public static final String PROGRESS_NOTICE_ENV = "AGENT_PROGRESS_NOTICE";
    public static final String PROGRESS_NOTICE_YAML = "progress_notice";
    /** "Got it, working on it, please wait": most WeCom users read Chinese. */
    public static final String DEFAULT_PROGRESS_NOTICE = "收到，正在处理，请稍候…";

    private static final java.util.regex.Pattern ENV_NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Whether {@code name} is one of the pipeline's secrets, which no agent program may see. */
    public static boolean isPipelineSecret(String name) {
        return PIPELINE_SECRET_ENV.contains(name) || name.startsWith(PIPELINE_SECRET_ENV_PREFIX);
    }

    public WorkerConfig {
        command = command == null ? List.of() : List.copyOf(command);
        commandEnv = commandEnv == null ? List.of() : List.copyOf(commandEnv);
        List<Problem> out = new ArrayList<>();
        Checks.port(out, key(PORT_YAML), port);
        Checks.atLeast(out, key(CONCURRENCY_YAML), concurrency, 1);
        Checks.present(out, key(AGENT_YAML), agent);
        Checks.notNegative(out, key(ECHO_DELAY_YAML), echoDelay);
        Checks.positive(out, key(AGENT_TIMEOUT_YAML), agentTimeout);
        Checks.notBlank(out, key(GROUP_ID_YAML), groupId);
        Checks.atLeast(out, key(HISTORY_TURNS_YAML), historyTurns, 0);
        Checks.notBlank(out, key(APOLOGY_YAML), apology);
        Checks.positive(out, key(SESSION_TIMEOUT_YAML), sessionTimeout);
        Checks.atLeast(out, key(ANSWER_MAX_CHARS_YAML), answerMaxChars, 100);
        Checks.range(out, key(HISTORY_MAX_BYTES_YAML), historyMaxBytes, 1024, 900 * 1024);
        for (String name : commandEnv) {
            if (!ENV_NAME.matcher(name).matches()) {
                out.add(new Problem(key(COMMAND_ENV_YAML), "'" + name + "' is not a variable name"));
            } else if (isPipelineSecret(name)) {
                out.add(new Problem(key(COMMAND_ENV_YAML), name + " is a secret of the pipeline and is never passed "
                        + "to the agent program; give the program its own variable"));
            }
        }
        Checks.range(out, key(COMMAND_MAX_OUTPUT_BYTES_YAML), commandMaxOutputBytes, 1024, MAX_COMMAND_MAX_OUTPUT_BYTES);
        Checks.notNegative(out, key(PROGRESS_NOTICE_AFTER_YAML), progressNoticeAfter);
        Checks.notBlank(out, key(PROGRESS_NOTICE_YAML), progressNotice);
        if (progressNoticeAfter != null && agentTimeout != null && !progressNoticeAfter.isZero()) {
            // A notice due after the timeout would never go out: the apology comes first.
            Checks.below(out, key(PROGRESS_NOTICE_AFTER_YAML), progressNoticeAfter, agentTimeout,
                    "the agent timeout, " + AGENT_TIMEOUT_ENV);
        }
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** Settings from before the progress notice; it is off. */
    public WorkerConfig(int port, int concurrency, Agent agent, Duration echoDelay, Duration agentTimeout,
                        String groupId, int historyTurns, String apology, List<String> command,
                        Duration sessionTimeout, int answerMaxChars, int historyMaxBytes,
                        List<String> commandEnv, int commandMaxOutputBytes) {
        this(port, concurrency, agent, echoDelay, agentTimeout, groupId, historyTurns, apology, command,
                sessionTimeout, answerMaxChars, historyMaxBytes, commandEnv, commandMaxOutputBytes,
                DEFAULT_PROGRESS_NOTICE_AFTER, DEFAULT_PROGRESS_NOTICE);
    }

    /** Settings from before the command agent's environment and output limit; those take their defaults. */
    public WorkerConfig(int port, int concurrency, Agent agent, Duration echoDelay, Duration agentTimeout,
                        String groupId, int historyTurns, String apology, List<String> command,
                        Duration sessionTimeout, int answerMaxChars, int historyMaxBytes) {
        this(port, concurrency, agent, echoDelay, agentTimeout, groupId, historyTurns, apology, command,
                sessionTimeout, answerMaxChars, historyMaxBytes, DEFAULT_COMMAND_ENV, DEFAULT_COMMAND_MAX_OUTPUT_BYTES);
    }

    /** Settings from before history, apology and command existed; those take their defaults. */
    public WorkerConfig(int port, int concurrency, Agent agent, Duration echoDelay, Duration agentTimeout,
                        String groupId) {
        this(port, concurrency, agent, echoDelay, agentTimeout, groupId, DEFAULT_HISTORY_TURNS, DEFAULT_APOLOGY,
                DEFAULT_COMMAND);
    }

    /** Settings from before the session timeout was configurable; it takes Kafka's default. */
    public WorkerConfig(int port, int concurrency, Agent agent, Duration echoDelay, Duration agentTimeout,
                        String groupId, int historyTurns, String apology, List<String> command) {
        this(port, concurrency, agent, echoDelay, agentTimeout, groupId, historyTurns, apology, command,
                DEFAULT_SESSION_TIMEOUT, DEFAULT_ANSWER_MAX_CHARS, DEFAULT_HISTORY_MAX_BYTES);
    }

    /** The defaults of operator-interface.md. */
    public static WorkerConfig defaults() {
        return new WorkerConfig(DEFAULT_PORT, DEFAULT_CONCURRENCY, DEFAULT_AGENT, DEFAULT_ECHO_DELAY,
                DEFAULT_AGENT_TIMEOUT, DEFAULT_GROUP_ID, DEFAULT_HISTORY_TURNS, DEFAULT_APOLOGY, DEFAULT_COMMAND,
                DEFAULT_SESSION_TIMEOUT, DEFAULT_ANSWER_MAX_CHARS, DEFAULT_HISTORY_MAX_BYTES, DEFAULT_COMMAND_ENV,
                DEFAULT_COMMAND_MAX_OUTPUT_BYTES, DEFAULT_PROGRESS_NOTICE_AFTER, DEFAULT_PROGRESS_NOTICE);
    }

    /** Whether a slow agent's message gets a progress notice. */
    public boolean sendsProgressNotice() {
        return !progressNoticeAfter.isZero();
    }

    /** One line for the startup log. */
    public String describe() {
        return "worker: port " + port + ", agent " + agent.id()
                + switch (agent) {
                    case ECHO -> " (delay " + Durations.format(echoDelay) + ")";
                    case COMMAND -> " (" + String.join(" ", command) + "), its env " + String.join(",", COMMAND_BASE_ENV)
                            + (commandEnv.isEmpty() ? "" : "," + String.join(",", commandEnv))
                            + ", its output at most " + commandMaxOutputBytes + " bytes";
                    case OPENAI, HERMES -> "";
                }
                + ", timeout " + Durations.format(agentTimeout) + ", concurrency " + concurrency
                + ", group " + groupId + ", history " + historyTurns + " turns"
                + (sendsProgressNotice() ? ", progress notice after " + Durations.format(progressNoticeAfter) : "")
                + (sessionTimeout.equals(DEFAULT_SESSION_TIMEOUT) ? "" : ", session timeout " + Durations.format(sessionTimeout));
    }

    private static String key(String yamlKey) {
        return YAML_SECTION + "." + yamlKey;
    }
}
