package dev.wecompipeline.engine;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;

/**
 * Packs the set of records finished beyond a partition's committed offset into the commit's
 * metadata string, so a restarted consumer skips work that already completed out of order.
 *
 * <p>The broker rejects metadata longer than {@code offset.metadata.max.bytes} (4096 by
 * default), so every commit picks whichever of two encodings is shorter for the current shape:
 * run lengths win when finished records come in long streaks, a raw bitset wins when they are
 * finely interleaved with unfinished ones. The committed offset itself is not in the string
 * because Kafka already stores it next to the metadata.
 */
public final class OffsetMapCodec {

    /** Tags the current format so a reader can tell it from older or foreign metadata. */
    public static final String PREFIX = "wp2:";

    /** The earlier plain-bitset format, still read so a rolling upgrade loses no progress. */
    public static final String LEGACY_PREFIX = "wp1:";

    /**
     * Upper bound on the bits a run-length string may expand to: a few bytes of hostile or
     * corrupt metadata could otherwise claim billions of bits and exhaust the heap on restart.
     */
    public static final int MAX_DECODED_BITS = 64 * 1024 * 1024;

    private static final char RUNS = 'r';
    private static final char BITS = 'b';
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

    private OffsetMapCodec() {}

    /**
     * Encodes the finished set, bit i standing for offset base + i, in the shorter of the two
     * forms so the most progress fits under the broker's metadata cap. Returns "" when nothing
     * is finished, because then the committed offset alone says everything.
     */
    public static String encode(BitSet finished) {
        if (finished == null || finished.isEmpty()) {
            return "";
        }
        String runs = PREFIX + RUNS + B64.encodeToString(runLengths(finished));
        String bits = PREFIX + BITS + B64.encodeToString(finished.toByteArray());
        // Both decode to the same set; a fixed tie rule just keeps the output deterministic.
        return bits.length() < runs.length() ? bits : runs;
    }

    /**
     * Reads back what {@link #encode} (or the legacy writer) produced. Anything unreadable yields
     * an empty set rather than an exception: forgetting progress only costs reprocessing from the
     * committed offset, whereas throwing would stop the partition from being consumed at all.
     */
    public static BitSet decode(String metadata) {
        if (metadata == null) {
            return new BitSet();
        }
        try {
            if (metadata.startsWith(LEGACY_PREFIX)) {
                return BitSet.valueOf(UNB64.decode(metadata.substring(LEGACY_PREFIX.length())));
            }
            if (!metadata.startsWith(PREFIX) || metadata.length() == PREFIX.length()) {
                return new BitSet();
            }
            char form = metadata.charAt(PREFIX.length());
            byte[] payload = UNB64.decode(metadata.substring(PREFIX.length() + 1));
            // The bitset form needs no size guard: its output cannot outgrow the string itself.
            return form == BITS ? BitSet.valueOf(payload)
                    : form == RUNS ? fromRunLengths(payload) : new BitSet();
        } catch (IllegalArgumentException malformedBase64) {
            return new BitSet();
        }
    }

    private static byte[] runLengths(BitSet finished) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        for (int start = finished.nextSetBit(0); start >= 0; start = finished.nextSetBit(pos)) {
            int end = finished.nextClearBit(start);
            writeVarint(out, start - pos);
            writeVarint(out, end - start);
            pos = end;
        }
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    private static BitSet fromRunLengths(byte[] payload) {
        int[] runs = readVarints(payload);
        // Every encoding ends with a finished run, so an odd count means a cut at a varint
        // boundary. The total is checked before allocating anything: that is the guard's point.
        if (runs == null || runs.length % 2 != 0
                || Arrays.stream(runs).asLongStream().sum() > MAX_DECODED_BITS) {
            return new BitSet();
        }
        BitSet finished = new BitSet();
        int pos = 0;
        for (int i = 0; i < runs.length; i += 2) {
            pos += runs[i];
            finished.set(pos, pos + runs[i + 1]);
            pos += runs[i + 1];
        }
        return finished;
    }

    /** Returns null for a truncated varint or one that does not fit a non-negative int. */
    private static int[] readVarints(byte[] in) {
        int[] values = new int[in.length];
        int count = 0, i = 0;
        while (i < in.length) {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                if (i >= in.length || shift > 28) {
                    return null;
                }
                int b = in[i++] & 0xFF;
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (value > Integer.MAX_VALUE) {
                return null;
            }
            values[count++] = (int) value;
        }
        return Arrays.copyOf(values, count);
    }
}
