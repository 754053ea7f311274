package dev.wecompipeline.ops;

import java.time.Duration;

import dev.wecompipeline.engine.ProcessingEngine;
import dev.wecompipeline.kafka.KafkaConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * What every consumer-group service around a {@link ProcessingEngine} shares (the worker, the
 * reply-service): the engine's poll thread, honest readiness (the loop commits its finished work
 * in time, and Kafka answers), the ops endpoints when the service serves its own, and an orderly
 * stop. The service keeps what is its own: its processor, executors and clients.
 *
 * <pre>{@code
 * EngineHost<Task> host = new EngineHost<>("worker", engine, kafka, clientId, registry, opsPortOrNull);
 * host.start();
 * ...
 * host.stop(grace);   // engine commits and leaves the group; then the ops server and readiness close
 * }</pre>
 *
 * @param <T> the engine's task type
 */
public final class EngineHost<T> implements AutoCloseable {

    /** How long a stop waits for the poll thread after the engine has closed. */
    static final Duration JOIN = Duration.ofSeconds(5);

    private final ProcessingEngine<T> engine;
    private final Thread thread;
    private final KafkaReadiness readiness;
    private final OpsServer ops;
    private volatile boolean started;

    /**
     * @param name     the service's short name, for the poll thread ({@code worker-poll}) and readiness client
     * @param opsPort  where to serve {@code /health}, {@code /ready}, {@code /metrics}; null when the
     *                 process serves them once for all its components (the all-in-one)
     */
    public EngineHost(String name, ProcessingEngine<T> engine, KafkaConnection kafka, String clientId,
                      PrometheusMeterRegistry registry, Integer opsPort) {
        this.engine = engine;
        this.thread = new Thread(engine, name + "-poll");
        this.readiness = new KafkaReadiness(kafka, clientId + "-readiness");
        this.ops = opsPort == null ? null : OpsServer.create(opsPort, registry, this::isReady);
    }

    public void start() {
        started = true;
        thread.start();
        if (ops != null) {
            ops.start();
        }
    }

    public ProcessingEngine<T> engine() {
        return engine;
    }

    /** True once the service has joined the group and until its loop stops. */
    public boolean isRunning() {
        return engine.isRunning();
    }

    /** Ready: the loop runs and commits its finished work in time, and Kafka answers. */
    public boolean isReady() {
        return engine.isReady() && readiness.isReady();
    }

    /** Port of the ops endpoints, or -1 when not served. */
    public int opsPort() {
        return ops == null ? -1 : ops.port();
    }

    /** The longest {@link #stop} takes beyond its {@code engineWait}. */
    public static Duration joinWait() {
        return JOIN;
    }

    /**
     * Stops the engine (what finished is committed, the consumer leaves the group) within
     * {@code engineWait}, waits a little for the poll thread, then closes the ops endpoints.
     */
    public void stop(Duration engineWait) {
        try {
            if (started) {
                engine.close(engineWait);
                thread.join(JOIN.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Closes the ops endpoints and the readiness client; the engine is the caller's to have stopped. */
    @Override
    public void close() {
        if (ops != null) {
            ops.close();
        }
        readiness.close();
    }
}
