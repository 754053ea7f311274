package dev.wecompipeline.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class SourceFilterTest {

    private final SourceFilter filter = new SourceFilter(List.of("203.0.113.0/24"), List.of("10.0.0.0/8", "127.0.0.1"));

    @Test
    void every_forwarded_for_line_counts_and_the_right_most_untrusted_hop_of_the_last_line_is_the_client() {
        // The client forged a first line; its own proxy (10.1.1.1) added the real address on a line of its own.
        List<String> lines = List.of("203.0.113.9", "198.51.100.7, 10.1.1.1");
        assertEquals("198.51.100.7", filter.clientAddress("10.2.2.2", lines));
        assertFalse(filter.isAllowed(filter.clientAddress("10.2.2.2", lines)));
    }

    @Test
    void trusted_hops_are_skipped_across_lines() {
        List<String> lines = List.of("198.51.100.7, 203.0.113.9", "10.3.3.3", " ", "10.1.1.1");
        assertEquals("203.0.113.9", filter.clientAddress("127.0.0.1", lines));
        assertTrue(filter.isAllowed(filter.clientAddress("127.0.0.1", lines)));
    }

    @Test
    void forwarded_for_from_an_untrusted_peer_or_only_trusted_hops_leaves_the_peer() {
        assertEquals("198.51.100.1", filter.clientAddress("198.51.100.1", List.of("203.0.113.9")));
        assertEquals("10.2.2.2", filter.clientAddress("10.2.2.2", List.of("10.1.1.1", "127.0.0.1")));
        assertEquals("10.2.2.2", filter.clientAddress("10.2.2.2", List.of()));
    }
}
