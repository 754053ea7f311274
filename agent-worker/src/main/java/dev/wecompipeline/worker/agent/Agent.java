package dev.wecompipeline.worker.agent;

/**
 * Something that answers a user's message: a model, a program, an echo. The worker calls
 * {@link #reply} on one of its task threads and may interrupt it when the agent timeout passes,
 * so implementations block freely but should honour interruption.
 *
 * <p>Implementations are thread-safe: many users' messages are answered at once.
 */
public interface Agent extends AutoCloseable {

    /**
     * Answers one message.
     *
     * @return the reply text; blank means "nothing to say" and sends no reply
     * @throws Exception any failure; the worker then sends the configured apology
     */
    String reply(AgentRequest request) throws Exception;

    /**
     * Answers one message with text and, for agents that can, attachments ({@link OutgoingMedia}):
     * what the worker calls. By default the text of {@link #reply}.
     */
    default AgentAnswer answer(AgentRequest request) throws Exception {
        return AgentAnswer.text(reply(request));
    }

    /** Whether the worker should keep per-user conversation history for this agent. */
    default boolean usesHistory() {
        return false;
    }

    /**
     * Whether the agent's own server keeps the conversation per session (Hermes does, by
     * {@link AgentRequest#sessionId()}): then the worker keeps no history for it, and {@code /reset}
     * moves the user to a new session (a new {@link AgentRequest#sessionGeneration()}) instead.
     */
    default boolean keepsSessions() {
        return false;
    }

    /** A short name for logs and metrics ({@code echo}, {@code openai}, {@code command}). */
    String name();

    @Override
    default void close() {
    }
}
