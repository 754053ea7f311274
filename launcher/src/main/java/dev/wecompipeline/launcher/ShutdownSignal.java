package dev.wecompipeline.launcher;

import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT so a command can shut its services down in order and exit 0.
 *
 * <p>A JVM shutdown hook would also run on SIGTERM, but the JVM then exits with 143 whatever the
 * hook does; the operator interface promises exit code 0 on a clean shutdown, so the signal is
 * handled directly and the command returns normally once everything is closed.
 */
final class ShutdownSignal {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignal.class);
    private final CountDownLatch signalled = new CountDownLatch(1);
    private volatile Throwable failure;

    private ShutdownSignal() {
    }

    /** Installs the handlers; call before starting services so an early signal is not lost. */
    static ShutdownSignal install() {
        ShutdownSignal s = new ShutdownSignal();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> {
                LOG.info("Received SIG{}, shutting down", sig.getName());
                s.signalled.countDown();
            });
        }
        return s;
    }

    /**
     * A service's loop died: the command shuts the rest down and exits non-zero, so the
     * orchestrator restarts the process. A live process with a dead loop is never left behind.
     */
    void fail(Throwable cause) {
        LOG.error("A processing loop died ({}); shutting down to be restarted", cause.toString());
        failure = cause;
        signalled.countDown();
    }

    /** Blocks until a signal arrives or a loop dies. */
    void await() throws InterruptedException {
        signalled.await();
    }

    /** The command's exit code: 0 after a signal, 1 after a loop died. */
    int exitCode() {
        return failure == null ? 0 : 1;
    }
}
