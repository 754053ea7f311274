package dev.wecompipeline.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class KeySchedulerTest {

    @Test
    void one_in_flight_per_key_in_order_and_keys_take_turns() {
        KeyScheduler<String> s = new KeyScheduler<>(10);
        s.add("a", "a1");
        s.add("a", "a2");
        s.add("b", "b1");
        assertEquals(List.of("a1", "b1"), s.startable(x -> true));
        assertEquals(List.of(), s.startable(x -> true), "a2 waits for a1");
        assertEquals(1, s.queued("a"));
        s.finished("a");
        assertEquals(List.of("a2"), s.startable(x -> true));
    }

    @Test
    void the_overall_limit_holds_and_a_refused_head_keeps_its_turn() {
        KeyScheduler<String> s = new KeyScheduler<>(2);
        for (String k : List.of("a", "b", "c")) {
            s.add(k, k + "1");
        }
        assertEquals(List.of("b1", "c1"), s.startable(x -> !x.equals("a1")));
        s.finished("b");
        assertEquals(List.of("a1"), s.startable(x -> true), "a is still first in line");
        assertEquals(2, s.inFlight());
    }

    @Test
    void dropping_waiting_items_frees_their_keys() {
        KeyScheduler<String> s = new KeyScheduler<>(5);
        s.add("a", "a1");
        s.add("a", "a2");
        s.add("b", "b1");
        assertEquals(3, s.dropWaiting(x -> true));
        assertEquals(0, s.waiting());
        assertEquals(List.of(), s.startable(x -> true));
    }
}
