package dev.wecompipeline.config;

import dev.wecompipeline.config.ConfigException.Problem;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validation rules of the settings. Each rule appends a {@link Problem} instead of throwing, so a
 * record reports all its mistakes at once.
 *
 * <p>A {@link Validator} is a rule for one value, attached to its {@link Setting} declaration
 * ({@code .validatedBy(Validators.atLeast(1))}); the static methods taking a key are the same
 * rules for cross-field checks in the records' constructors.
 */
public final class Validators {

    /**
     * A rule for one setting's value.
     *
     * @param <T> the setting's type
     */
    @FunctionalInterface
    public interface Validator<T> {
        /** Adds a problem about {@code key} to {@code out} if {@code value} breaks the rule. */
        void check(List<Problem> out, String key, T value);
    }

    /** Port 0 asks the OS for a free port; tests use it, production configs should not. */
    static final int MIN_PORT = 0;
    static final int MAX_PORT = 65_535;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private Validators() {
    }

    /** A port, 0 (a free one, for tests) to 65535. */
    public static Validator<Integer> port() {
        return (out, key, value) -> port(out, key, value);
    }

    public static Validator<Number> atLeast(long min) {
        return (out, key, value) -> atLeast(out, key, value.longValue(), min);
    }

    public static Validator<Number> range(long min, long max) {
        return (out, key, value) -> range(out, key, value.longValue(), min, max);
    }

    /** Present and not blank. */
    public static Validator<String> notBlank() {
        return Validators::notBlank;
    }

    /** Present (a list or choice that was given as something). */
    public static Validator<Object> present() {
        return Validators::present;
    }

    public static Validator<Duration> positive() {
        return Validators::positive;
    }

    public static Validator<Duration> notNegative() {
        return Validators::notNegative;
    }

    /** Unset, or an absolute http(s) URL with a host; the message shows {@code example}. */
    public static Validator<String> httpUrlIfSet(String example) {
        return (out, key, value) -> {
            if (value != null && !isHttpUrl(value)) {
                out.add(new Problem(key, "must be an http(s) URL like " + example + ", got '" + value + "'"));
            }
        };
    }

    /** Set, and an absolute http(s) URL with a host; the message shows {@code example}. */
    public static Validator<String> httpUrl(String example) {
        return (out, key, value) -> {
            if (notBlank(out, key, value) && !isHttpUrl(value)) {
                out.add(new Problem(key, "must be an http(s) URL like " + example + ", got '" + value + "'"));
            }
        };
    }

    /** Each entry an IP literal or CIDR block. */
    public static Validator<java.util.Collection<String>> cidrs() {
        return Validators::cidrs;
    }

    static void port(List<Problem> out, String key, int port) {
        range(out, key, port, MIN_PORT, MAX_PORT);
    }

    static void range(List<Problem> out, String key, long value, long min, long max) {
        if (value < min || value > max) {
            out.add(new Problem(key, "must be between " + min + " and " + max + ", got " + value));
        }
    }

    static void atLeast(List<Problem> out, String key, long value, long min) {
        if (value < min) {
            out.add(new Problem(key, "must be at least " + min + ", got " + value));
        }
    }

    static boolean present(List<Problem> out, String key, Object value) {
        if (value == null) {
            out.add(new Problem(key, "is required"));
            return false;
        }
        return true;
    }

    static boolean notBlank(List<Problem> out, String key, String value) {
        if (value == null || value.isBlank()) {
            out.add(new Problem(key, "is required"));
            return false;
        }
        return true;
    }

    static void notNegative(List<Problem> out, String key, Duration value) {
        if (present(out, key, value) && value.isNegative()) {
            out.add(new Problem(key, "must not be negative"));
        }
    }

    static void positive(List<Problem> out, String key, Duration value) {
        if (present(out, key, value) && (value.isNegative() || value.isZero())) {
            out.add(new Problem(key, "must be greater than 0"));
        }
    }

    /** {@code value} must be below {@code limit}, e.g. WeCom's 5 s response deadline. */
    static void below(List<Problem> out, String key, Duration value, Duration limit, String why) {
        if (value != null && value.compareTo(limit) >= 0) {
            out.add(new Problem(key, "must be less than " + Durations.format(limit) + " (" + why
                    + "), got " + Durations.format(value)));
        }
    }

    /** An absolute {@code http} or {@code https} URL with a host. */
    static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Each entry must be an IP literal or CIDR block; host names would need DNS on every request. */
    static void cidrs(List<Problem> out, String key, Collection<String> entries) {
        if (!present(out, key, entries)) {
            return;
        }
        for (String entry : entries) {
            if (!isCidr(entry)) {
                out.add(new Problem(key, "'" + entry + "' is not an IP address or CIDR block like 10.0.0.0/8"));
            }
        }
    }

    static boolean isCidr(String entry) {
        if (entry == null) {
            return false;
        }
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        boolean v4 = IPV4.matcher(address).matches();
        if (v4 && !octetsInRange(address)) {
            return false;
        }
        // Only literals reach InetAddress, so this never performs a DNS lookup.
        if (!v4 && !IPV6.matcher(address).matches()) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            return false;
        }
        if (v4 && bytes.length != 4) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        String prefix = entry.substring(slash + 1);
        if (!prefix.matches("\\d{1,3}")) {
            return false;
        }
        return Integer.parseInt(prefix) <= bytes.length * 8;
    }

    // An out-of-range octet would make InetAddress treat the text as a host name and resolve it.
    private static boolean octetsInRange(String address) {
        for (String octet : address.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }
}
