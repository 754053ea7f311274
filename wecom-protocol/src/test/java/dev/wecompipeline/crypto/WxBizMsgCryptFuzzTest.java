package dev.wecompipeline.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests over hostile inputs. The property everywhere: only
 * {@link WeComCryptoException} subclasses escape (never IllegalArgumentException,
 * ArrayIndexOutOfBoundsException, BadPaddingException, Jackson or StAX exceptions), and whatever is
 * accepted is exactly what was sent, or, for CBC bit flips signed with the real token, provably
 * the reference decryption of the tampered bytes with length, receive_id and padding untouched.
 *
 * <p>Counts per category and outcome are printed at the end (see the surefire output file).
 */
class WxBizMsgCryptFuzzTest {

    private static final long SEED = 0x5EED_C0DEL;
    private static final String ACCEPTED = "accepted";
    private static final Map<String, Map<String, Integer>> COUNTS = new ConcurrentHashMap<>();

    private final WxBizMsgCrypt crypt = Fixtures.crypt();
    private final String now = Long.toString(Fixtures.NOW);
    private final CallbackEncoder encoder = new CallbackEncoder(crypt, Fixtures.CORP_ID, "1000002");

    @Test
    void random_bytes_never_decrypt() {
        Random rnd = new Random(SEED);
        for (int i = 0; i < 4_000; i++) {
            // Half whole AES blocks, so most cases get past the length check into unpadding.
            byte[] bytes = new byte[rnd.nextBoolean() ? 16 * rnd.nextInt(11) : rnd.nextInt(171)];
            rnd.nextBytes(bytes);
            String input = Base64.getEncoder().encodeToString(bytes);

            assertNull(run("random bytes as ciphertext", input, () -> crypt.decrypt(input)), input);
        }
        assertCases("random bytes as ciphertext", 4_000);
    }

    @Test
    void random_text_never_decrypts() {
        Random rnd = new Random(SEED + 1);
        for (int i = 0; i < 3_000; i++) {
            String input = FuzzInputs.base64ish(rnd, 120);

            assertNull(run("random text as ciphertext", input, () -> crypt.decrypt(input)), input);
        }
        assertCases("random text as ciphertext", 3_000);
    }

    @Test
    void truncated_ciphertexts_never_decrypt() {
        Random rnd = new Random(SEED + 2);
        for (int i = 0; i < 3_000; i++) {
            String encrypt = crypt.encrypt(FuzzInputs.text(rnd, 200));
            byte[] bytes = Base64.getDecoder().decode(encrypt);
            String input = switch (i % 3) {
                case 0 -> Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, rnd.nextInt(bytes.length)));
                case 1 -> encrypt.substring(0, rnd.nextInt(encrypt.length()));
                // Dropping leading blocks keeps a valid tail (receive_id, padding) behind a shifted header.
                default -> Base64.getEncoder().encodeToString(
                        Arrays.copyOfRange(bytes, 16 * (1 + rnd.nextInt(bytes.length / 16 - 1)), bytes.length));
            };

            assertNull(run("truncated ciphertext", input, () -> crypt.decrypt(input)), input);
        }
        assertCases("truncated ciphertext", 3_000);
    }

    @Test
    void bit_flips_under_the_original_signature_are_always_signature_mismatches() {
        Random rnd = new Random(SEED + 3);
        for (int i = 0; i < 2_000; i++) {
            String encrypt = crypt.encrypt(FuzzInputs.text(rnd, 120));
            String signature = crypt.signature(now, "nonce", encrypt);
            String tampered = Base64.getEncoder().encodeToString(flipBits(rnd, Base64.getDecoder().decode(encrypt)));
            String body = Fixtures.envelope(tampered);

            assertNull(run("bit flips, original signature", body,
                    () -> Fixtures.openPost(crypt, signature, now, "nonce", body)));
        }
        assertEquals(Map.of("SignatureMismatchException -40001", 2_000), COUNTS.get("bit flips, original signature"));
    }

    @Test
    void bit_flips_with_a_recomputed_signature_are_rejected_or_explained_by_cbc_malleability() {
        Random rnd = new Random(SEED + 4);
        for (int i = 0; i < 4_000; i++) {
            String original = FuzzInputs.text(rnd, 120);
            byte[] ciphertext = Base64.getDecoder().decode(crypt.encrypt(original));
            byte[] flipped = flipBits(rnd, ciphertext);
            String tampered = Base64.getEncoder().encodeToString(flipped);
            // Signing with the real token simulates a token leak: decryption is reached and its own checks are tested.
            String signature = crypt.signature(now, "nonce", tampered);
            String body = Fixtures.envelope(tampered);

            String result = run("bit flips, signature recomputed", body,
                    () -> Fixtures.openPost(crypt, signature, now, "nonce", body));
            if (result != null) {
                assertMalleabilityOnly(Fixtures.rawDecrypt(ciphertext), Fixtures.rawDecrypt(flipped), result);
            }
        }
        assertCases("bit flips, signature recomputed", 4_000);
    }

    @Test
    void mutated_outer_xml_is_rejected_or_yields_the_original_message() {
        Random rnd = new Random(SEED + 5);
        for (int i = 0; i < 4_000; i++) {
            String original = FuzzInputs.text(rnd, 80);
            String encrypt = crypt.encrypt(original);
            String signature = crypt.signature(now, "nonce", encrypt);
            String body = FuzzInputs.mutate(rnd, Fixtures.envelope(encrypt));

            String result = run("mutated outer XML", body, () -> Fixtures.openPost(crypt, signature, now, "nonce", body));
            if (result != null) {
                assertEquals(original, result, () -> "mutated body decrypted to something else: " + body);
            }
        }
        assertCases("mutated outer XML", 4_000);
    }

    @Test
    void random_xml_bodies_never_decrypt() {
        Random rnd = new Random(SEED + 6);
        String signature = crypt.signature(now, "nonce", "never-sent");
        for (int i = 0; i < 2_000; i++) {
            String body = FuzzInputs.tagSoup(rnd);

            assertNull(run("random XML body", body, () -> Fixtures.openPost(crypt, signature, now, "nonce", body)), body);
        }
        assertCases("random XML body", 2_000);
    }

    @Test
    void mutated_inner_messages_parse_or_are_malformed() {
        Random rnd = new Random(SEED + 7);
        for (int i = 0; i < 3_000; i++) {
            InboundXmlMessage message = i % 2 == 0
                    ? InboundXmlMessage.text("ww1", "user" + i, Fixtures.NOW, "1000002", Integer.toString(i),
                            FuzzInputs.text(rnd, 60))
                    : InboundXmlMessage.event("ww1", "user" + i, Fixtures.NOW, "1000002", "click",
                            FuzzInputs.text(rnd, 20));
            String xml = FuzzInputs.mutate(rnd, WeComXml.toXml(message));
            InboundXmlMessage[] parsed = new InboundXmlMessage[1];

            String result = run("mutated inner XML", xml, () -> {
                parsed[0] = WeComXml.parseMessage(xml);
                return ACCEPTED;
            });
            if (result != null) {
                assertNotNull(parsed[0].stableMessageId());
                assertFalse(parsed[0].fromUserName().isBlank());
            }
        }
        assertCases("mutated inner XML", 3_000);
    }

    @Test
    void random_messages_round_trip_exactly() {
        Random rnd = new Random(SEED + 8);
        for (int i = 0; i < 2_000; i++) {
            String text = FuzzInputs.text(rnd, i % 10 == 0 ? 3_000 : 100);
            if (i % 4 == 0) {
                CallbackEncoder.SignedCallback post = encoder.post(text, Long.parseLong(now));
                String q = post.query();
                assertEquals(text, run("round trip", text, () -> Fixtures.openPost(crypt,
                        Fixtures.queryParam(q, "msg_signature"), Fixtures.queryParam(q, "timestamp"),
                        Fixtures.queryParam(q, "nonce"), post.body())));
            } else {
                assertEquals(text, run("round trip", text, () -> crypt.decrypt(crypt.encrypt(text))));
            }
        }
        assertEquals(Map.of(ACCEPTED, 2_000), COUNTS.get("round trip"));
    }

    @AfterAll
    static void printCounts() {
        StringBuilder report = new StringBuilder("WxBizMsgCrypt fuzz (seed 0x5EEDC0DE), cases per category and outcome:\n");
        int total = 0;
        for (Map.Entry<String, Map<String, Integer>> category : new TreeMap<>(COUNTS).entrySet()) {
            int cases = category.getValue().values().stream().mapToInt(Integer::intValue).sum();
            total += cases;
            report.append(String.format("  %-34s %6d%n", category.getKey(), cases));
            new TreeMap<>(category.getValue()).forEach((outcome, count) ->
                    report.append(String.format("      %-40s %6d%n", outcome, count)));
        }
        report.append(String.format("  %-34s %6d%n", "TOTAL", total));
        System.out.print(report);
    }

    /**
     * Runs one case: returns the result, or null after a typed rejection. Anything else escaping is
     * exactly the bug this test hunts, so it fails with the input.
     */
    private static String run(String category, String input, Supplier<String> call) {
        String outcome;
        String result;
        try {
            result = call.get();
            outcome = ACCEPTED;
        } catch (WeComCryptoException e) {
            result = null;
            outcome = e.getClass().getSimpleName() + " " + e.errorCode();
        } catch (RuntimeException | Error e) {
            throw new AssertionError(category + ": " + e + " escaped for input " + FuzzInputs.abbreviate(input), e);
        }
        COUNTS.computeIfAbsent(category, k -> new ConcurrentHashMap<>()).merge(outcome, 1, Integer::sum);
        return result;
    }

    private static void assertCases(String category, int expected) {
        assertEquals(expected, COUNTS.get(category).values().stream().mapToInt(Integer::intValue).sum());
    }

    /** Flips 1 to 3 random bits, retrying in the rare case the flips cancel out. */
    private static byte[] flipBits(Random rnd, byte[] ciphertext) {
        byte[] flipped;
        do {
            flipped = ciphertext.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                flipped[rnd.nextInt(flipped.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
        } while (Arrays.equals(flipped, ciphertext));
        return flipped;
    }

    /**
     * An accepted tampered frame must differ from the original only inside the random prefix and
     * the message bytes: same length field, same receive_id, same padding. Then the result must be
     * the reference decoding of its message bytes. A decryptor that skipped a padding byte, the
     * receive_id or the length bounds would break this.
     */
    private static void assertMalleabilityOnly(byte[] originalFrame, byte[] tamperedFrame, String result) {
        int length = ByteBuffer.wrap(originalFrame, 16, 4).getInt();
        assertEquals(originalFrame.length, tamperedFrame.length);
        assertEquals(length, ByteBuffer.wrap(tamperedFrame, 16, 4).getInt(), "length field changed yet accepted");
        assertArrayEquals(Arrays.copyOfRange(originalFrame, 20 + length, originalFrame.length),
                Arrays.copyOfRange(tamperedFrame, 20 + length, tamperedFrame.length),
                "receive_id or padding changed yet accepted");
        byte[] message = Arrays.copyOfRange(tamperedFrame, 20, 20 + length);
        assertEquals(new String(message, StandardCharsets.UTF_8), result);
    }
}
