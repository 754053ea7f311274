package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.wecompipeline.worker.agent.Agent;
import dev.wecompipeline.worker.agent.AgentRequest;

/**
 * A test agent whose behaviour the test scripts: it answers {@code "re: <text>"} after a delay,
 * fails on texts starting with {@code fail}, blocks on texts starting with {@code block} until
 * released, answers texts starting with {@code huge} with 2 MB, and records every call (with the
 * history it was given).
 */
final class ScriptedAgent implements Agent {

    final Duration delay;
    final boolean history;
    final List<AgentRequest> calls = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> callsPerMessage = new ConcurrentHashMap<>();
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();

    ScriptedAgent(Duration delay, boolean history) {
        this.delay = delay;
        this.history = history;
    }

    @Override
    public String reply(AgentRequest request) throws Exception {
        calls.add(request);
        callsPerMessage.computeIfAbsent(request.message().messageId(), k -> new AtomicInteger()).incrementAndGet();
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            String text = request.message().content() == null ? "" : request.message().content();
            if (text.startsWith("block")) {
                release.await();
            }
            if (!delay.isZero()) {
                // The agent's own work time (a model thinking), not test synchronisation.
                Thread.sleep(delay.toMillis());
            }
            if (text.startsWith("fail")) {
                throw new IllegalStateException("scripted failure");
            }
            if (text.startsWith("huge")) {
                return "x".repeat(2 * 1024 * 1024);
            }
            return "re: " + text;
        } finally {
            concurrent.decrementAndGet();
        }
    }

    @Override
    public boolean usesHistory() {
        return history;
    }

    @Override
    public String name() {
        return "scripted";
    }
}
