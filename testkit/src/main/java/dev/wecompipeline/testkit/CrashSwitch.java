package dev.wecompipeline.testkit;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.UnaryOperator;

import dev.wecompipeline.engine.ProcessingEngine;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Crash injection for tests of exactly-once: decorates an engine's Kafka clients so that the loop
 * dies at a chosen point, as a killed process would. The engine itself has no test hooks; a death
 * here takes its real death path (nothing more committed, clients closed at once).
 *
 * <pre>{@code
 * CrashSwitch crash = new CrashSwitch();
 * WorkerService w = new WorkerService(..., crash);   // package-private test constructor
 * crash.arm(CrashSwitch.Point.BEFORE_COMMIT);
 * }</pre>
 */
public final class CrashSwitch implements UnaryOperator<ProcessingEngine.Clients> {

    /** Where the loop dies. */
    public enum Point {
        NONE,
        /** At the next poll: whatever was not committed is left to the next owner. */
        NOW,
        /** In commitTransaction, after the outputs were flushed: produced, never committed. */
        BEFORE_COMMIT
    }

    /** What kills the loop; an Error, so no handler for Kafka's exceptions catches it. */
    public static final class SimulatedCrash extends Error {
        public SimulatedCrash(String where) {
            super("simulated crash " + where, null, false, false);
        }

        SimulatedCrash(Point point) {
            super("simulated crash at " + point, null, false, false);
        }
    }

    private volatile Point armed = Point.NONE;

    public void arm(Point point) {
        armed = point;
    }

    @Override
    public ProcessingEngine.Clients apply(ProcessingEngine.Clients clients) {
        return new ProcessingEngine.Clients() {
            @Override
            @SuppressWarnings("unchecked")
            public Consumer<String, byte[]> consumer() {
                Consumer<String, byte[]> real = clients.consumer();
                return (Consumer<String, byte[]>) wrap(Consumer.class, real, (proxy, method, args) -> {
                    if (method.getName().equals("poll") && armed == Point.NOW) {
                        throw new SimulatedCrash(Point.NOW);
                    }
                    return invoke(real, method, args);
                });
            }

            @Override
            @SuppressWarnings("unchecked")
            public Producer<String, byte[]> producer() {
                Producer<String, byte[]> real = clients.producer();
                return (Producer<String, byte[]>) wrap(Producer.class, real, (proxy, method, args) -> {
                    if (method.getName().equals("commitTransaction") && armed == Point.BEFORE_COMMIT) {
                        real.flush();
                        throw new SimulatedCrash(Point.BEFORE_COMMIT);
                    }
                    return invoke(real, method, args);
                });
            }
        };
    }

    private static Object wrap(Class<?> type, Object real, InvocationHandler handler) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
