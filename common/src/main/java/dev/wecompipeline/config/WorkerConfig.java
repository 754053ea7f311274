package dev.wecompipeline.config;

import static java.time.temporal.ChronoUnit.MILLIS;
import static java.time.temporal.ChronoUnit.SECONDS;

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

    private static final String S = YAML_SECTION;

    public static final Setting<Integer> PORT = Setting.integer("WORKER_PORT", S, "port", 8646)
            .validatedBy(Validators.port()).doc("`/health`, `/ready`, `/metrics` of a worker run alone");
    /** Agent runs mostly wait on a model or a process, so far more than the core count fit. */
    public static final Setting<Integer> CONCURRENCY = Setting.integer("WORKER_CONCURRENCY", S, "concurrency", 64)
            .validatedBy(Validators.atLeast(1)).doc("agent runs in flight per worker process");
    public static final Setting<Agent> AGENT = Setting.choice("AGENT", S, "agent", Agent.ECHO, Agent.class)
            .validatedBy(Validators.present()).doc("which agent answers ([Agents](#agents))");
    public static final Setting<Duration> ECHO_DELAY = Setting.duration("AGENT_ECHO_DELAY_MS", S, "echo_delay_ms",
                    Duration.ZERO, MILLIS)
            .validatedBy(Validators.notNegative()).doc("how long the echo agent waits before echoing");
    /** Hermes sessions take 3-30 minutes. */
    public static final Setting<Duration> AGENT_TIMEOUT = Setting.duration("AGENT_TIMEOUT", S, "agent_timeout",
                    Duration.ofMinutes(30), SECONDS)
            .validatedBy(Validators.positive()).doc("an agent run taking longer is abandoned and the user gets the apology");
    public static final Setting<String> GROUP_ID = Setting.text("WORKER_GROUP_ID", S, "group_id", "wecom-agent-workers")
            .validatedBy(Validators.notBlank()).doc("consumer group of the workers");
    /**
     * Kafka's own default. The broker accepts 6 s to 30 min by default; shorter moves a crashed
     * worker's partitions sooner but drops a worker whose heartbeats stall (long GC) more readily.
     */
    public static final Setting<Duration> SESSION_TIMEOUT = Setting.duration("WORKER_SESSION_TIMEOUT_MS", S,
                    "session_timeout_ms", Duration.ofSeconds(45), MILLIS)
            .validatedBy(Validators.positive())
            .doc("how long the group waits for a silent worker (killed, no LeaveGroup) before its partitions move on; "
                    + "the broker allows 6000 and up by default");
    /** Enough for follow-up questions; each turn is sent with every request, so more costs tokens. */
    public static final Setting<Integer> HISTORY_TURNS = Setting.integer("AGENT_HISTORY_TURNS", S, "history_turns", 10)
            .validatedBy(Validators.atLeast(0))
            .doc("earlier turns kept per user and sent to `openai`/`command` agents; `0` keeps none");
    /**
     * About eight WeCom text messages of Chinese, twenty of English: WeCom delivers 30 a minute per
     * user, so a longer answer floods the user for minutes.
     */
    public static final Setting<Integer> ANSWER_MAX_CHARS = Setting.integer("AGENT_ANSWER_MAX_CHARS", S,
                    "answer_max_chars", 16_000)
            .validatedBy(Validators.atLeast(100))
            .doc("a longer answer is cut and ends with `[Answer truncated: it had N characters.]`");
    /** Far below Kafka's 1 MiB record limit, and more history than any model prompt wants. */
    public static final Setting<Integer> HISTORY_MAX_BYTES = Setting.integer("AGENT_HISTORY_MAX_BYTES", S,
                    "history_max_bytes", 256 * 1024)
            .validatedBy(Validators.range(1024, 900 * 1024))
            .doc("a user's stored session stays under this (1024 to 921600); the oldest turns go first");
    public static final Setting<String> APOLOGY = Setting.text("AGENT_APOLOGY", S, "apology",
                    "Sorry, something went wrong while answering your message. Please try again.")
            .validatedBy(Validators.notBlank()).doc("sent instead of an answer when the agent fails or times out");
    /** A variable holds the words separated by whitespace; YAML takes a list (for arguments with spaces) or a string. */
    public static final Setting<List<String>> COMMAND = Setting.words("AGENT_COMMAND", S, "command", List.of())
            .defaultShownAs("none (required for `command`)")
            .doc("program and arguments run per message (variable: split on whitespace; YAML: a list or a string); "
                    + "message JSON on stdin, answer on stdout");
    public static final Setting<List<String>> COMMAND_ENV = Setting.list("AGENT_COMMAND_ENV", S, "command_env", List.of())
            .defaultShownAs("none")
            .doc("variables the `command` agent gets besides `PATH`, `HOME`, `LANG`; the pipeline's secrets (every "
                    + "secret in this table and `KAFKA_PROPERTIES_*`) are refused");
    /** Far more than an answer WeCom shows (AGENT_ANSWER_MAX_CHARS cuts it anyway), little memory per run. */
    public static final Setting<Integer> COMMAND_MAX_OUTPUT_BYTES = Setting.integer("AGENT_COMMAND_MAX_OUTPUT_BYTES", S,
                    "command_max_output_bytes", 1024 * 1024)
            .validatedBy(Validators.range(1024, 16 * 1024 * 1024))
            .doc("stdout kept of one `command` run (1024 to 16 MiB); beyond it the program is stopped and the answer "
                    + "is what it wrote, cut at a character and marked");
    /** Off: an operator whose agents take minutes (Hermes) turns it on, e.g. {@code 20s}. */
    public static final Setting<Duration> PROGRESS_NOTICE_AFTER = Setting.duration("AGENT_PROGRESS_NOTICE_AFTER", S,
                    "progress_notice_after", Duration.ZERO, SECONDS)
            .validatedBy(Validators.notNegative())
            .doc("a message whose agent has not answered within this time (e.g. `20s`; `0`: off; less than "
                    + "`AGENT_TIMEOUT`) gets `AGENT_PROGRESS_NOTICE` first, once "
                    + "([A first word while it thinks](#a-first-word-while-it-thinks))");
    /** "Got it, working on it, please wait": most WeCom users read Chinese. */
    public static final Setting<String> PROGRESS_NOTICE = Setting.text("AGENT_PROGRESS_NOTICE", S, "progress_notice",
                    "收到，正在处理，请稍候…")
            .validatedBy(Validators.notBlank()).doc("the text of that notice");

    /** Every setting of this section, in the README's order. */
    public static final List<Setting<?>> SETTINGS = List.of(PORT, CONCURRENCY, AGENT, ECHO_DELAY, AGENT_TIMEOUT,
            GROUP_ID, SESSION_TIMEOUT, HISTORY_TURNS, ANSWER_MAX_CHARS, HISTORY_MAX_BYTES, APOLOGY, COMMAND, COMMAND_ENV,
            COMMAND_MAX_OUTPUT_BYTES, PROGRESS_NOTICE_AFTER, PROGRESS_NOTICE);

    /**
     * What every {@code command} run gets of the worker's environment: enough to find programs and
     * read text; everything else only when named in {@code AGENT_COMMAND_ENV}.
     */
    public static final List<String> COMMAND_BASE_ENV = List.of("PATH", "HOME", "LANG");
    /** The Kafka client pass-through carries SASL and TLS passwords: no agent program gets it either. */
    public static final String PIPELINE_SECRET_ENV_PREFIX = KafkaClientProperties.ENV_PREFIX;

    private static final java.util.regex.Pattern ENV_NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Whether {@code name} is one of the pipeline's secrets, which no agent program may see: a
     * setting declared secret, or a Kafka client property. A program that needs a key of its own
     * gets it under a name of its own.
     */
    public static boolean isPipelineSecret(String name) {
        return SettingsCatalog.secretVariables().contains(name) || name.startsWith(PIPELINE_SECRET_ENV_PREFIX);
    }

    public WorkerConfig {
        command = command == null ? List.of() : List.copyOf(command);
        commandEnv = commandEnv == null ? List.of() : List.copyOf(commandEnv);
        List<Problem> out = new ArrayList<>();
        PORT.check(out, port);
        CONCURRENCY.check(out, concurrency);
        AGENT.check(out, agent);
        ECHO_DELAY.check(out, echoDelay);
        AGENT_TIMEOUT.check(out, agentTimeout);
        GROUP_ID.check(out, groupId);
        HISTORY_TURNS.check(out, historyTurns);
        APOLOGY.check(out, apology);
        SESSION_TIMEOUT.check(out, sessionTimeout);
        ANSWER_MAX_CHARS.check(out, answerMaxChars);
        HISTORY_MAX_BYTES.check(out, historyMaxBytes);
        for (String name : commandEnv) {
            if (!ENV_NAME.matcher(name).matches()) {
                out.add(new Problem(COMMAND_ENV.yamlKey(), "'" + name + "' is not a variable name"));
            } else if (isPipelineSecret(name)) {
                out.add(new Problem(COMMAND_ENV.yamlKey(), name + " is a secret of the pipeline and is never passed "
                        + "to the agent program; give the program its own variable"));
            }
        }
        COMMAND_MAX_OUTPUT_BYTES.check(out, commandMaxOutputBytes);
        PROGRESS_NOTICE_AFTER.check(out, progressNoticeAfter);
        PROGRESS_NOTICE.check(out, progressNotice);
        if (progressNoticeAfter != null && agentTimeout != null && !progressNoticeAfter.isZero()) {
            // A notice due after the timeout would never go out: the apology comes first.
            Validators.below(out, PROGRESS_NOTICE_AFTER.yamlKey(), progressNoticeAfter, agentTimeout,
                    "the agent timeout, " + AGENT_TIMEOUT.env());
        }
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** The record of {@code v}'s values. */
    public static WorkerConfig from(SettingValues v) {
        return new WorkerConfig(v.get(PORT), v.get(CONCURRENCY), v.get(AGENT), v.get(ECHO_DELAY), v.get(AGENT_TIMEOUT),
                v.get(GROUP_ID), v.get(HISTORY_TURNS), v.get(APOLOGY), v.get(COMMAND), v.get(SESSION_TIMEOUT),
                v.get(ANSWER_MAX_CHARS), v.get(HISTORY_MAX_BYTES), v.get(COMMAND_ENV), v.get(COMMAND_MAX_OUTPUT_BYTES),
                v.get(PROGRESS_NOTICE_AFTER), v.get(PROGRESS_NOTICE));
    }

    /** The defaults of operator-interface.md. */
    public static WorkerConfig defaults() {
        return from(SettingValues.DEFAULTS);
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
                + (sessionTimeout.equals(SESSION_TIMEOUT.defaultValue()) ? "" : ", session timeout " + Durations.format(sessionTimeout));
    }
}
