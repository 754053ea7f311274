package dev.wecompipeline.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffsetMapCodecTest {

    private static final int BROKER_CAP = 4096;
    private static final int HEADER = OffsetMapCodec.PREFIX.length() + 1;

    @Test
    void randomSetsRoundTripAndNeverExceedEitherFormsSize() {
        Random random = new Random(20240611L);
        List<BitSet> cases = new ArrayList<>(edgeCases());
        for (int n = 0; n < 2_000; n++) {
            cases.add(randomSet(random, n % 4, random.nextInt(100_001)));
        }
        for (BitSet set : cases) {
            String encoded = OffsetMapCodec.encode(set);
            assertEquals(set, OffsetMapCodec.decode(encoded), () -> "round trip of " + encoded);
            if (set.isEmpty()) {
                continue;
            }
            // Never worse than the plain bitset, and never worse than the run-length bound
            // (each run and gap costs one byte plus one per 128 bits it spans).
            assertTrue(encoded.length() <= bitsetForm(set).length(), encoded);
            int runBytes = 2 * runCount(set) + set.length() / 128;
            assertTrue(encoded.length() <= HEADER + base64Length(runBytes), encoded);
        }
    }

    @Test
    void oneHeldRecordThenThirtyThousandFinishedIsATinyRunLength() {
        BitSet set = new BitSet();
        set.set(1, 30_001);

        String encoded = OffsetMapCodec.encode(set);

        // Runs 1 (held) and 30000 (finished) as LEB128: 0x01, then 0xB0 0xEA 0x01.
        assertEquals(rawRuns(0x01, 0xB0, 0xEA, 0x01), encoded);
        assertTrue(encoded.length() < 20, encoded);
        assertEquals(set, OffsetMapCodec.decode(encoded));
    }

    @Test
    void strictlyAlternatingBitsChooseTheBitsetForm() {
        BitSet set = new BitSet();
        for (int i = 0; i < 20_000; i += 2) {
            set.set(i);
        }
        // What run-length would have to say: gap 0, then 10,000 runs of 1 separated by gaps of 1.
        int[] payload = new int[20_000];
        Arrays.fill(payload, 1);
        payload[0] = 0;
        String runLengthForm = runs(payload);
        assertEquals(set, OffsetMapCodec.decode(runLengthForm));

        String encoded = OffsetMapCodec.encode(set);

        assertEquals(bitsetForm(set), encoded);
        assertTrue(encoded.startsWith(OffsetMapCodec.PREFIX + "b"), encoded);
        assertTrue(encoded.length() < runLengthForm.length(), encoded);
        assertEquals(set, OffsetMapCodec.decode(encoded));
    }

    @Test
    void aTieInLengthGoesToRunLength() {
        BitSet set = new BitSet();
        set.set(0, 16); // runs 0,16 and bitset 0xFF,0xFF: two bytes, three characters each

        String encoded = OffsetMapCodec.encode(set);

        assertEquals(bitsetForm(set).length(), encoded.length());
        assertEquals(rawRuns(0x00, 0x10), encoded);
    }

    @Test
    void emptySetIsTheEmptyString() {
        assertEquals("", OffsetMapCodec.encode(new BitSet()));
        assertEquals(0, OffsetMapCodec.encode(new BitSet()).length());
        assertTrue(OffsetMapCodec.decode("").isEmpty());
    }

    @Test
    void legacyBitsetStringsStillDecode() {
        BitSet set = new BitSet();
        set.set(0);
        set.set(3, 70);
        set.set(1_000);
        String legacy = OffsetMapCodec.LEGACY_PREFIX
                + Base64.getUrlEncoder().withoutPadding().encodeToString(set.toByteArray());

        assertEquals(set, OffsetMapCodec.decode(legacy));
    }

    @Test
    void garbageDecodesToEmptyWithoutThrowing() {
        int max = OffsetMapCodec.MAX_DECODED_BITS;
        List<String> garbage = List.of(
                "xyz",
                "wp3:AQI",
                OffsetMapCodec.PREFIX,
                OffsetMapCodec.PREFIX + "r",
                OffsetMapCodec.PREFIX + "b",
                OffsetMapCodec.PREFIX + "q" + "AbDqAQ",
                OffsetMapCodec.PREFIX + "r!!!",
                OffsetMapCodec.PREFIX + "b!!!",
                OffsetMapCodec.LEGACY_PREFIX + "!!!",
                rawRuns(0x01, 0xB0, 0xEA),                   // varint cut mid-way
                rawRuns(0x01, 0xB0, 0xEA, 0x01, 0x05),       // cut after a gap, before its run
                rawRuns(0x00, 0x80, 0x80, 0x80, 0x80, 0x08), // 2^31 = Integer.MAX_VALUE + 1
                rawRuns(0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), // 2^35 - 1
                rawRuns(0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), // six-byte varint
                // Eleven bytes: a 64-bit shift would wrap round and read this as 64.
                rawRuns(0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
                runs(0, max + 1),
                runs(max, 1),
                runs(0, max / 2 + 1, 0, max / 2 + 1),
                runs(0, Integer.MAX_VALUE, 0, Integer.MAX_VALUE));
        assertTrue(OffsetMapCodec.decode(null).isEmpty());
        for (String metadata : garbage) {
            try {
                BitSet decoded = OffsetMapCodec.decode(metadata);
                // Describe by size: printing up to 64M bits would itself exhaust the heap.
                assertTrue(decoded.isEmpty(), () -> metadata + " decoded to "
                        + decoded.cardinality() + " bits, highest " + (decoded.length() - 1));
            } catch (RuntimeException e) {
                fail(metadata + " threw " + e);
            }
        }
    }

    @Test
    void runLengthPayloadOfExactlyTheLimitIsStillAccepted() {
        int max = OffsetMapCodec.MAX_DECODED_BITS;

        BitSet decoded = OffsetMapCodec.decode(runs(max - 1, 1));

        assertEquals(1, decoded.cardinality());
        assertTrue(decoded.get(max - 1));
    }

    @Test
    void fourThousandScatteredRecordsInTwoHundredThousandDoNotFitTheBrokerCap() {
        BitSet set = scattered(new Random(7L), 4_000, 200_000);

        String encoded = OffsetMapCodec.encode(set);

        // Measured 10,843 characters for this seed: about 2.7 per isolated record, so this
        // density needs a larger offset.metadata.max.bytes or fewer records in flight.
        assertEquals(10_843, encoded.length());
        assertTrue(encoded.length() > BROKER_CAP);
        assertTrue(encoded.startsWith(OffsetMapCodec.PREFIX + "r"), encoded);
        // Bound for ANY 4,000 records within 200,000: 2 * 4000 + 200000 / 128 = 9,562 bytes.
        assertTrue(encoded.length() <= HEADER + base64Length(9_562));
        assertEquals(set, OffsetMapCodec.decode(encoded));
    }

    @Test
    void anySevenHundredFiftyRecordsInTwoHundredThousandFitTheBrokerCap() {
        // 2 * 750 + 200000 / 128 = 3,062 bytes -> 4,083 base64 chars + 5 = 4,088 <= 4,096.
        assertTrue(HEADER + base64Length(2 * 750 + 200_000 / 128) <= BROKER_CAP);
        Random random = new Random(99L);
        for (int n = 0; n < 200; n++) {
            BitSet set = scattered(random, 750, 200_000);
            assertTrue(OffsetMapCodec.encode(set).length() <= BROKER_CAP);
        }
    }

    @Test
    void anySetWithinTwentyFourThousandFiveHundredFortyFourOffsetsFitsTheBrokerCap() {
        // Worst shape for run-length, so the 3,068-byte bitset decides: exactly at the cap.
        BitSet set = new BitSet();
        for (int i = 1; i < 24_544; i += 2) {
            set.set(i);
        }
        assertEquals(BROKER_CAP, OffsetMapCodec.encode(set).length());

        set.set(24_544);
        assertTrue(OffsetMapCodec.encode(set).length() > BROKER_CAP);
    }

    private static List<BitSet> edgeCases() {
        List<BitSet> cases = new ArrayList<>();
        cases.add(new BitSet());
        for (int[] range : new int[][] {
                {0, 1}, {99_999, 100_000}, {0, 100_000}, {1, 128}, {127, 255},
                {128, 256}, {16_383, 32_767}, {16_384, 32_768}, {63, 64}, {64, 65}}) {
            BitSet set = new BitSet();
            set.set(range[0], range[1]);
            cases.add(set);
        }
        return cases;
    }

    private static BitSet randomSet(Random random, int shape, int length) {
        BitSet set = new BitSet();
        switch (shape) {
            case 0 -> { // independent bits of a random density
                double density = random.nextDouble();
                for (int i = 0; i < length; i++) {
                    set.set(i, random.nextDouble() < density);
                }
            }
            case 1 -> { // streaks of random mean length
                int mean = 1 + random.nextInt(5_000);
                boolean finished = random.nextBoolean();
                for (int i = 0; i < length; finished = !finished) {
                    int run = 1 + random.nextInt(2 * mean);
                    set.set(i, Math.min(length, i + run), finished);
                    i += run;
                }
            }
            case 2 -> { // a few isolated records
                for (int k = random.nextInt(200); k > 0 && length > 0; k--) {
                    set.set(random.nextInt(length));
                }
            }
            default -> { // nearly all finished, a few held
                set.set(0, length);
                for (int k = random.nextInt(50); k > 0 && length > 0; k--) {
                    set.clear(random.nextInt(length));
                }
            }
        }
        return set;
    }

    private static BitSet scattered(Random random, int records, int span) {
        BitSet set = new BitSet();
        while (set.cardinality() < records) {
            set.set(random.nextInt(span));
        }
        return set;
    }

    private static int runCount(BitSet set) {
        int count = 0;
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(set.nextClearBit(i))) {
            count++;
        }
        return count;
    }

    /** Length of unpadded base64 for n bytes. */
    private static int base64Length(int bytes) {
        return (4 * bytes + 2) / 3;
    }

    private static String bitsetForm(BitSet set) {
        return OffsetMapCodec.PREFIX + "b"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(set.toByteArray());
    }

    /** A run-length string with these exact payload bytes, to pin or break the wire format. */
    private static String rawRuns(int... bytes) {
        byte[] payload = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            payload[i] = (byte) bytes[i];
        }
        return OffsetMapCodec.PREFIX + "r"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(payload);
    }

    /** A run-length string for these run lengths, LEB128-encoded independently of the codec. */
    private static String runs(int... lengths) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (int length : lengths) {
            long v = Integer.toUnsignedLong(length);
            do {
                payload.write((int) (v & 0x7F) | (v > 0x7F ? 0x80 : 0));
                v >>>= 7;
            } while (v != 0);
        }
        return OffsetMapCodec.PREFIX + "r"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.toByteArray());
    }
}
