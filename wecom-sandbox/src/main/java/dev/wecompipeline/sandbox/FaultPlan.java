package dev.wecompipeline.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * The faults a {@link WeComApiSandbox} injects, changeable at any time from any thread (every
 * method is synchronized; the admin endpoint {@code POST /sandbox/faults} calls the same methods).
 * Durations run on the sandbox's clock, so a test with a {@link MutableClock} ends a burst by
 * advancing it. Fractions draw from one seeded {@link Random}, so a run is repeatable.
 *
 * <p>Errcode faults apply to {@code message/send} (and, where an {@link ApiEndpoint} is named, to
 * {@code gettoken}); HTTP faults ({@link #httpErrors}, {@link #unavailable}, {@link #delay})
 * apply to every {@code /cgi-bin} call, never to the {@code /sandbox} admin endpoints.
 *
 * <pre>{@code
 * sandbox.faults()
 *        .busyFraction(0.1)                                   // 10 % of sends answer -1
 *        .failNext(WeComErrors.API_FREQ_OUT_OF_LIMIT, 5)      // then five 45009s
 *        .forceErrcodeFor("bob", WeComErrors.NO_USER_PERMISSION);
 * }</pre>
 */
public final class FaultPlan {

    /** A forced answer; {@code errmsg} null means WeCom's text for the code, {@code fromIp} null the caller's IP. */
    public record Forced(int errcode, String errmsg, String fromIp) {
    }

    /** A run of failures: {@code remaining} calls, or until {@code until} (then {@code remaining} is -1). */
    public record Burst(ApiEndpoint api, int errcode, int remaining, Instant until) {
    }

    /** An HTTP status answered for a fraction of calls, or for every call until {@code until}. */
    public record HttpFault(int status, double fraction, Instant until) {
    }

    /** The current plan, as {@code GET /sandbox/faults} shows it. */
    public record Settings(double busyFraction, List<Burst> bursts, Forced forcedForAll, Map<String, Forced> forcedForUser,
                           int tokenExpiryEverySends, List<HttpFault> httpFaults, boolean unavailable, long delayMillis) {
    }

    private final Clock clock;
    private Random random;
    private double busyFraction;
    private final List<Burst> bursts = new ArrayList<>();
    private Forced forcedForAll;
    private final Map<String, Forced> forcedForUser = new LinkedHashMap<>();
    private int tokenExpiryEverySends;
    private int sendsSinceTokenExpiry;
    private final List<HttpFault> httpFaults = new ArrayList<>();
    private boolean unavailable;
    private Duration delay = Duration.ZERO;

    FaultPlan(Clock clock, Random random) {
        this.clock = clock;
        this.random = random;
    }

    /** Replaces the random source behind every fraction, e.g. {@code new Random(42)} for a repeatable run. */
    public synchronized FaultPlan random(Random random) {
        this.random = Objects.requireNonNull(random, "random");
        return this;
    }

    /** Answers {@code -1 system busy} to this fraction (0..1) of sends. */
    public synchronized FaultPlan busyFraction(double fraction) {
        this.busyFraction = requireFraction(fraction, "busyFraction");
        return this;
    }

    /** Answers {@code errcode} (e.g. 45009, 45033, -1) to the next {@code calls} sends. */
    public FaultPlan failNext(int errcode, int calls) {
        return failNext(ApiEndpoint.MESSAGE_SEND, errcode, calls);
    }

    /** Answers {@code errcode} to the next {@code calls} calls of {@code api}, e.g. 45009 to gettoken. */
    public synchronized FaultPlan failNext(ApiEndpoint api, int errcode, int calls) {
        if (calls < 1) {
            throw new IllegalArgumentException("calls must be >= 1, was " + calls);
        }
        bursts.add(new Burst(Objects.requireNonNull(api, "api"), errcode, calls, null));
        return this;
    }

    /** Answers {@code errcode} to every send for {@code duration} from now (sandbox clock). */
    public FaultPlan failFor(int errcode, Duration duration) {
        return failFor(ApiEndpoint.MESSAGE_SEND, errcode, duration);
    }

    public synchronized FaultPlan failFor(ApiEndpoint api, int errcode, Duration duration) {
        bursts.add(new Burst(Objects.requireNonNull(api, "api"), errcode, -1, clock.instant().plus(requirePositive(duration))));
        return this;
    }

    /** Answers {@code errcode} with WeCom's text to every send until cleared. */
    public FaultPlan forceErrcode(int errcode) {
        return forceErrcode(errcode, null);
    }

    /** Answers {@code errcode} with exactly {@code errmsg} (null: WeCom's text) to every send until cleared. */
    public synchronized FaultPlan forceErrcode(int errcode, String errmsg) {
        forcedForAll = new Forced(errcode, errmsg, null);
        return this;
    }

    /** Answers {@code errcode} to every send naming {@code user} among its recipients, until cleared. */
    public FaultPlan forceErrcodeFor(String user, int errcode) {
        return forceErrcodeFor(user, errcode, null);
    }

    public synchronized FaultPlan forceErrcodeFor(String user, int errcode, String errmsg) {
        forcedForUser.put(Objects.requireNonNull(user, "user"), new Forced(errcode, errmsg, null));
        return this;
    }

    /**
     * Answers 60020 to every send, as when the calling server's IP is not in the app's trusted IP
     * list: {@code "not allow to access from your ip, hint: [..], from ip: 1.2.3.4, more info at .."}.
     * {@code fromIp} null reports the caller's real address.
     */
    public synchronized FaultPlan ipNotAllowed(String fromIp) {
        forcedForAll = new Forced(WeComErrors.IP_NOT_ALLOWED, null, fromIp);
        return this;
    }

    /** Removes forced errcodes, for all and per user. */
    public synchronized FaultPlan clearForced() {
        forcedForAll = null;
        forcedForUser.clear();
        return this;
    }

    /**
     * Every {@code sends}-th send finds its token expired early (42001) and the token stays dead,
     * as when WeCom invalidates a token before {@code expires_in}; 0 turns it off.
     */
    public synchronized FaultPlan expireTokenEvery(int sends) {
        if (sends < 0) {
            throw new IllegalArgumentException("tokenExpiryEverySends must be >= 0, was " + sends);
        }
        tokenExpiryEverySends = sends;
        sendsSinceTokenExpiry = 0;
        return this;
    }

    /** Answers HTTP {@code status} (e.g. 500, 502) with no WeCom body to this fraction of calls. */
    public synchronized FaultPlan httpErrors(int status, double fraction) {
        httpFaults.add(new HttpFault(requireHttpError(status), requireFraction(fraction, "fraction"), null));
        return this;
    }

    /** Answers HTTP {@code status} to every call for {@code duration} from now (sandbox clock). */
    public synchronized FaultPlan httpErrorsFor(int status, Duration duration) {
        httpFaults.add(new HttpFault(requireHttpError(status), 1.0, clock.instant().plus(requirePositive(duration))));
        return this;
    }

    /** While true every {@code /cgi-bin} call answers 503: up but unavailable (a gateway in front of a dead backend). */
    public synchronized FaultPlan unavailable(boolean unavailable) {
        this.unavailable = unavailable;
        return this;
    }

    /** Holds every {@code /cgi-bin} answer back this long (real time: it is what the client experiences). */
    public synchronized FaultPlan delay(Duration delay) {
        if (Objects.requireNonNull(delay, "delay").isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        this.delay = delay;
        return this;
    }

    /** Removes every fault; the random source stays (its position in the sequence too). */
    public synchronized FaultPlan clear() {
        busyFraction = 0;
        bursts.clear();
        clearForced();
        tokenExpiryEverySends = 0;
        sendsSinceTokenExpiry = 0;
        httpFaults.clear();
        unavailable = false;
        delay = Duration.ZERO;
        return this;
    }

    public synchronized Settings settings() {
        pruneExpired(clock.instant());
        return new Settings(busyFraction, List.copyOf(bursts), forcedForAll, Map.copyOf(forcedForUser),
                tokenExpiryEverySends, List.copyOf(httpFaults), unavailable, delay.toMillis());
    }

    synchronized Duration delay() {
        return delay;
    }

    /** The HTTP status to answer instead of serving the call, or 0 to serve it. */
    synchronized int httpStatusFor(Instant now) {
        if (unavailable) {
            return 503;
        }
        pruneExpired(now);
        for (HttpFault fault : httpFaults) {
            if (fault.until() != null || random.nextDouble() < fault.fraction()) {
                return fault.status();
            }
        }
        return 0;
    }

    /** The errcode answer forced on a media call ({@code failNext(ApiEndpoint.MEDIA_GET, ...)}), or null. */
    synchronized Forced mediaFault(ApiEndpoint api, Instant now) {
        return takeBurst(api, now);
    }

    /** The errcode answer forced on a gettoken call, or null. */
    synchronized Forced gettokenFault(Instant now) {
        return takeBurst(ApiEndpoint.GETTOKEN, now);
    }

    /**
     * The errcode answer forced on a send to these recipients, or null to serve it. Forced codes
     * come first (a misconfigured app fails every time), then bursts, then the busy fraction.
     */
    synchronized Forced sendFault(Collection<String> recipients, Instant now) {
        if (forcedForAll != null) {
            return forcedForAll;
        }
        for (String user : recipients) {
            Forced forced = forcedForUser.get(user);
            if (forced != null) {
                return forced;
            }
        }
        Forced burst = takeBurst(ApiEndpoint.MESSAGE_SEND, now);
        if (burst != null) {
            return burst;
        }
        // Draw only when the fault is on, so turning it on gives the same sequence every run.
        if (busyFraction > 0 && random.nextDouble() < busyFraction) {
            return new Forced(WeComErrors.SYSTEM_BUSY, null, null);
        }
        return null;
    }

    /** Counts a send made with a valid token; true when this one is the N-th and its token must die. */
    synchronized boolean tokenExpiryDue() {
        if (tokenExpiryEverySends == 0) {
            return false;
        }
        if (++sendsSinceTokenExpiry >= tokenExpiryEverySends) {
            sendsSinceTokenExpiry = 0;
            return true;
        }
        return false;
    }

    private Forced takeBurst(ApiEndpoint api, Instant now) {
        pruneExpired(now);
        for (int i = 0; i < bursts.size(); i++) {
            Burst burst = bursts.get(i);
            if (burst.api() != api) {
                continue;
            }
            if (burst.until() == null) {
                if (burst.remaining() <= 1) {
                    bursts.remove(i);
                } else {
                    bursts.set(i, new Burst(api, burst.errcode(), burst.remaining() - 1, null));
                }
            }
            return new Forced(burst.errcode(), null, null);
        }
        return null;
    }

    private void pruneExpired(Instant now) {
        bursts.removeIf(b -> b.until() != null && !now.isBefore(b.until()));
        httpFaults.removeIf(f -> f.until() != null && !now.isBefore(f.until()));
    }

    private static double requireFraction(double fraction, String name) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException(name + " must be within 0..1, was " + fraction);
        }
        return fraction;
    }

    private static int requireHttpError(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error (400..599), was " + status);
        }
        return status;
    }

    private static Duration requirePositive(Duration duration) {
        if (Objects.requireNonNull(duration, "duration").isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        return duration;
    }
}
