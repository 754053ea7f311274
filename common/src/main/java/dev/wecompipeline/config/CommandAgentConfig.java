package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@code command} agent runs: a program and its arguments, started once per message,
 * and how long one run may take before it is killed.
 *
 * <p>Not read separately: the program is {@link WorkerConfig#command()} ({@code AGENT_COMMAND}),
 * the limit is the worker's {@link WorkerConfig#agentTimeout()}, the environment and output bound
 * are {@link WorkerConfig#commandEnv()} and {@link WorkerConfig#commandMaxOutputBytes()}; see
 * {@link #of(WorkerConfig)}.
 *
 * @param command program and arguments, e.g. {@code [python3, my_agent.py]}; not run through a shell
 * @param timeout a run taking longer is killed with its child processes
 * @param env     variables passed on besides {@link WorkerConfig#COMMAND_BASE_ENV} ({@code AGENT_COMMAND_ENV})
 * @param maxOutputBytes stdout kept of one run ({@code AGENT_COMMAND_MAX_OUTPUT_BYTES})
 */
public record CommandAgentConfig(List<String> command, Duration timeout, List<String> env, int maxOutputBytes) {

    public CommandAgentConfig {
        command = command == null ? null : List.copyOf(command);
        env = env == null ? List.of() : List.copyOf(env);
        List<Problem> out = new ArrayList<>();
        String commandKey = WorkerConfig.COMMAND.env() + " (or " + WorkerConfig.COMMAND.yamlKey() + ")";
        if (command == null || command.isEmpty() || command.get(0).isBlank()) {
            out.add(new Problem(commandKey, "is required when " + WorkerConfig.AGENT.env() + " is "
                    + WorkerConfig.Agent.COMMAND.id()));
        }
        Validators.positive(out, WorkerConfig.AGENT_TIMEOUT.yamlKey(), timeout);
        Validators.atLeast(out, WorkerConfig.COMMAND_MAX_OUTPUT_BYTES.yamlKey(), maxOutputBytes, 1);
        if (!out.isEmpty()) {
            throw new ConfigException(out);
        }
    }

    /** A program with the default environment and output limit. */
    public CommandAgentConfig(List<String> command, Duration timeout) {
        this(command, timeout, WorkerConfig.COMMAND_ENV.defaultValue(), WorkerConfig.COMMAND_MAX_OUTPUT_BYTES.defaultValue());
    }

    /**
     * The command agent's settings within {@code worker}.
     *
     * @throws ConfigException if no command is configured
     */
    public static CommandAgentConfig of(WorkerConfig worker) {
        return new CommandAgentConfig(worker.command(), worker.agentTimeout(), worker.commandEnv(),
                worker.commandMaxOutputBytes());
    }
}
