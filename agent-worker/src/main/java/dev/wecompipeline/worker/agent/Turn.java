package dev.wecompipeline.worker.agent;

/** One exchange of a conversation: what the user said and what the agent answered. */
public record Turn(String user, String assistant) {
}
