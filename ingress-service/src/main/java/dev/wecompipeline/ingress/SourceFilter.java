package dev.wecompipeline.ingress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether a request comes from an allowed network, given {@code allowed_source_cidrs}
 * and {@code trusted_proxies}.
 *
 * <p>{@code X-Forwarded-For} is honoured only when the direct peer is a trusted proxy, and then
 * the right-most address that is not itself a trusted proxy is taken as the client: anything to
 * its left was written by the client and can be forged. The header may come as several lines (a
 * client sends one, a proxy adds another rather than appending); they are one list in arrival
 * order, so the last line's right-most hop is the nearest.
 */
final class SourceFilter {

    static final String FORWARDED_FOR = "X-Forwarded-For";

    private final List<Cidr> allowed;
    private final List<Cidr> trustedProxies;

    SourceFilter(List<String> allowedCidrs, List<String> trustedProxyCidrs) {
        this.allowed = allowedCidrs.stream().map(Cidr::parse).toList();
        this.trustedProxies = trustedProxyCidrs.stream().map(Cidr::parse).toList();
    }

    /** True when no allowlist is configured: the check costs nothing then. */
    boolean allowsAll() {
        return allowed.isEmpty();
    }

    /**
     * The client address to judge: the peer, or the forwarded client behind a trusted proxy.
     *
     * @param forwardedFor every {@code X-Forwarded-For} line of the request, in arrival order
     */
    String clientAddress(String peer, List<String> forwardedFor) {
        if (forwardedFor == null || forwardedFor.isEmpty() || !matchesAny(trustedProxies, peer)) {
            return peer;
        }
        for (int line = forwardedFor.size() - 1; line >= 0; line--) {
            String[] hops = Objects.requireNonNullElse(forwardedFor.get(line), "").split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].strip();
                if (!hop.isEmpty() && !matchesAny(trustedProxies, hop)) {
                    return hop;
                }
            }
        }
        return peer;
    }

    /** Whether a client address (from {@link #clientAddress}) is in the allowlist. */
    boolean isAllowed(String client) {
        return allowsAll() || matchesAny(allowed, client);
    }

    private static boolean matchesAny(List<Cidr> cidrs, String address) {
        byte[] bytes = Cidr.literalBytes(address);
        if (bytes == null) {
            return false;
        }
        for (Cidr c : cidrs) {
            if (c.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4 or IPv6 network in CIDR notation; a bare address is a /32 or /128. */
    record Cidr(byte[] network, int prefixLength) {

        static Cidr parse(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            byte[] addr = literalBytes(slash < 0 ? s : s.substring(0, slash));
            if (addr == null) {
                throw new IllegalArgumentException("not an IP network: " + text);
            }
            int prefix = slash < 0 ? addr.length * 8 : Integer.parseInt(s.substring(slash + 1));
            if (prefix < 0 || prefix > addr.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            return new Cidr(addr, prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixLength / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }

        /**
         * Bytes of an IP literal, or null when the text is not one. Host names are never resolved:
         * a DNS lookup per request would be slow and attacker-influenced.
         */
        static byte[] literalBytes(String text) {
            if (text == null || text.isEmpty()) {
                return null;
            }
            String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            boolean ipv4 = t.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
            boolean ipv6 = t.indexOf(':') >= 0 && t.chars().allMatch(ch -> ch == ':' || ch == '.' || ch == '%'
                    || Character.digit(ch, 16) >= 0);
            if (!ipv4 && !ipv6) {
                return null;
            }
            try {
                // InetAddress turns IPv4-mapped IPv6 (::ffff:a.b.c.d) into the IPv4 address it carries.
                return InetAddress.getByName(t).getAddress();
            } catch (UnknownHostException e) {
                return null;
            }
        }
    }
}
