package dev.wecompipeline.worker;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs agent calls on a fixed pool (one thread per allowed concurrent task: agents block for
 * minutes on a model or a program) and enforces the agent timeout by interrupting the call. The
 * result is handed to a callback exactly once: the agent's answer, its failure, or the timeout.
 * A call may also ask to hear when it is slow (the progress notice), at most once and only while
 * no result has been handed on.
 */
final class TaskRunner implements AutoCloseable {

    /** How one agent call ended. */
    enum Ending { ANSWERED, FAILED, TIMED_OUT }

    /** The result of one call; {@code value} is set only when {@code ending} is ANSWERED. */
    record Result<T>(Ending ending, T value, Throwable error, long nanos) {
    }

    private final ExecutorService pool;
    private final ScheduledExecutorService timer;
    private final Duration timeout;

    TaskRunner(int threads, Duration timeout) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> daemon(r, "agent-task-" + n.incrementAndGet()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "agent-timeout"));
        this.timeout = timeout;
    }

    <T> void run(Callable<T> call, Consumer<Result<T>> onDone) {
        run(call, onDone, Duration.ZERO, () -> { });
    }

    /**
     * Runs {@code call}; if it has no result after {@code slowAfter} (not zero), {@code onSlow} runs
     * once on the timer thread first. {@code onSlow} may still race with a result arriving at the
     * same moment: its consumer must drop it once the result is in (the engine drops an emit after
     * finish).
     */
    <T> void run(Callable<T> call, Consumer<Result<T>> onDone, Duration slowAfter, Runnable onSlow) {
        long start = System.nanoTime();
        AtomicBoolean done = new AtomicBoolean();
        Future<?>[] task = new Future<?>[1];
        ScheduledFuture<?> slow = slowAfter.isZero() ? null : timer.schedule(() -> {
            if (!done.get()) {
                onSlow.run();
            }
        }, slowAfter.toNanos(), TimeUnit.NANOSECONDS);
        ScheduledFuture<?> watchdog = timer.schedule(() -> {
            if (done.compareAndSet(false, true)) {
                if (slow != null) {
                    slow.cancel(false);
                }
                if (task[0] != null) {
                    task[0].cancel(true);
                }
                onDone.accept(new Result<>(Ending.TIMED_OUT, null, null, System.nanoTime() - start));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        task[0] = pool.submit(() -> {
            Result<T> result;
            try {
                result = new Result<>(Ending.ANSWERED, call.call(), null, System.nanoTime() - start);
            } catch (Throwable t) {
                result = new Result<>(Ending.FAILED, null, t, System.nanoTime() - start);
            }
            if (done.compareAndSet(false, true)) {
                watchdog.cancel(false);
                if (slow != null) {
                    slow.cancel(false);
                }
                onDone.accept(result);
            }
        });
    }

    @Override
    public void close() {
        pool.shutdownNow();
        timer.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
