package dev.wecompipeline.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import dev.wecompipeline.config.ReplyConfig;
import org.junit.jupiter.api.Test;

class SendPolicyTest {

    private static final ReplyConfig REPLY = ReplyConfig.defaults();   // REPLY_FREQ_LIMIT_BACKOFF 60 s

    @Test
    void chunks_waiting_out_a_45009_block_come_back_at_different_times_never_before_its_end() {
        SendPolicy policy = new SendPolicy(REPLY);

        List<Long> waits = IntStream.range(0, 100).mapToObj(i -> policy.afterFrequencyBlock(10_000)).toList();

        assertTrue(waits.stream().distinct().count() > 10, () -> "not spread: " + waits);
        long spread = (long) (REPLY.freqLimitBackoff().toMillis() * SendPolicy.JITTER);
        assertTrue(waits.stream().allMatch(w -> w >= 10_000 && w <= 10_000 + spread), waits::toString);
    }

    @Test
    void the_spread_is_up_to_half_the_block_length_after_its_end() {
        assertEquals(10_000, new SendPolicy(REPLY, () -> 0.0).afterFrequencyBlock(10_000));
        assertEquals(10_000 + 15_000, new SendPolicy(REPLY, () -> 0.5).afterFrequencyBlock(10_000));
        assertEquals(Duration.ofSeconds(60), REPLY.freqLimitBackoff());
    }
}
