package dev.wecompipeline.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wecompipeline.xml.InboundXmlMessage;
import dev.wecompipeline.xml.WeComXml;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WxBizMsgCryptTest {

    private final WxBizMsgCrypt crypt = Fixtures.crypt();

    @ParameterizedTest
    @ValueSource(strings = {"hello", "", " ", "a", "你好，企业微信！这是一条中文消息。", "emoji 😀👍 mixed 中文",
            "<xml><Content><![CDATA[nested ]]]]><![CDATA[> markup]]></Content></xml>", "line\nbreaks\r\n\ttabs",
            "exactly-sixteen!"})
    void encrypt_then_decrypt_returns_the_same_text(String text) {
        assertEquals(text, crypt.decrypt(crypt.encrypt(text)));
    }

    @Test
    void every_message_length_round_trips_and_is_padded_to_32_bytes() {
        // Lengths 0..96 cross every padding value 1..32, including a full block of padding.
        for (int length = 0; length <= 96; length++) {
            String text = "x".repeat(length);
            byte[] ciphertext = Base64.getDecoder().decode(crypt.encrypt(text));

            assertEquals(0, ciphertext.length % 32, "length " + length);
            assertEquals(text, crypt.decrypt(Base64.getEncoder().encodeToString(ciphertext)));
        }
    }

    @Test
    void a_long_chinese_message_round_trips() {
        String text = "企业微信回调消息".repeat(500);

        assertEquals(text, crypt.decrypt(crypt.encrypt(text)));
    }

    @Test
    void encrypted_frame_has_the_documented_layout() {
        byte[] expectedPrefix = new byte[16];
        new Random(42).nextBytes(expectedPrefix);
        WxBizMsgCrypt seeded = new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY, Fixtures.CORP_ID,
                Duration.ZERO, Fixtures.CLOCK, new Random(42));

        byte[] frame = Fixtures.rawDecrypt(Base64.getDecoder().decode(seeded.encrypt("你好")));

        byte[] message = "你好".getBytes(StandardCharsets.UTF_8);
        byte[] corp = Fixtures.CORP_ID.getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expectedPrefix, Arrays.copyOfRange(frame, 0, 16), "random prefix from the generator");
        assertEquals(message.length, ByteBuffer.wrap(frame, 16, 4).getInt(), "big-endian length");
        assertArrayEquals(message, Arrays.copyOfRange(frame, 20, 20 + message.length));
        assertArrayEquals(corp, Arrays.copyOfRange(frame, 20 + message.length, 20 + message.length + corp.length));
        int pad = frame[frame.length - 1];
        assertEquals(frame.length, 20 + message.length + corp.length + pad);
        for (int i = frame.length - pad; i < frame.length; i++) {
            assertEquals(pad, frame[i]);
        }
    }

    @Test
    void the_same_generator_seed_gives_the_same_ciphertext_and_different_seeds_differ() {
        WxBizMsgCrypt a = new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY, Fixtures.CORP_ID, Duration.ZERO,
                Fixtures.CLOCK, new Random(1));
        WxBizMsgCrypt b = new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY, Fixtures.CORP_ID, Duration.ZERO,
                Fixtures.CLOCK, new Random(1));
        WxBizMsgCrypt c = new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY, Fixtures.CORP_ID, Duration.ZERO,
                Fixtures.CLOCK, new Random(2));

        assertEquals(a.encrypt("same"), b.encrypt("same"));
        assertNotEquals(a.encrypt("same"), c.encrypt("same"));
    }

    @Test
    void a_callback_built_by_the_encoder_opens_to_its_message() {
        String inner = "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>";

        CallbackEncoder.SignedCallback post = new CallbackEncoder(crypt, Fixtures.CORP_ID, "1000002").post(inner, Fixtures.NOW);

        String q = post.query();
        assertTrue(q.matches("msg_signature=[0-9a-f]{40}&timestamp=" + Fixtures.NOW + "&nonce=[0-9]+"), q);
        assertEquals(Fixtures.CORP_ID, WeComXml.parseEnvelope(post.body()).toUserName());
        assertEquals(inner, Fixtures.openPost(crypt, Fixtures.queryParam(q, "msg_signature"),
                Fixtures.queryParam(q, "timestamp"), Fixtures.queryParam(q, "nonce"), post.body()));
    }

    @Test
    void a_verification_built_by_the_encoder_opens_to_its_echo() {
        CallbackEncoder.SignedCallback get = new CallbackEncoder(crypt, Fixtures.CORP_ID, "1000002")
                .verification("echo-42", Fixtures.NOW);

        String q = get.query();
        assertEquals("echo-42", Fixtures.openVerification(crypt, Fixtures.queryParam(q, "msg_signature"),
                Fixtures.queryParam(q, "timestamp"), Fixtures.queryParam(q, "nonce"), Fixtures.queryParam(q, "echostr")));
    }

    @Test
    void a_message_encrypted_for_wecom_round_trips_through_the_xml_parser() {
        InboundXmlMessage original = InboundXmlMessage.text(Fixtures.CORP_ID, "zhangsan", Fixtures.NOW, "1000002",
                "1234567890123456789", "帮我总结一下 <今天> 的会议 & 待办");
        String timestamp = Long.toString(Fixtures.NOW);
        String encrypt = crypt.encrypt(WeComXml.toXml(original));
        String signature = crypt.signature(timestamp, "42", encrypt);

        String inner = Fixtures.openPost(crypt, signature, timestamp, "42", Fixtures.envelope(encrypt));

        assertEquals(original, WeComXml.parseMessage(inner));
    }

    @Test
    void timestamps_at_the_edge_of_the_window_are_accepted() {
        for (long ts : List.of(Fixtures.NOW - 300, Fixtures.NOW, Fixtures.NOW + 300)) {
            String timestamp = Long.toString(ts);
            String encrypt = crypt.encrypt("x");
            String signature = crypt.signature(timestamp, "n", encrypt);

            assertDoesNotThrow(() -> crypt.verifySignature(signature, timestamp, "n", encrypt), timestamp);
        }
    }

    @Test
    void a_zero_window_accepts_any_timestamp_that_is_signed() {
        WxBizMsgCrypt noWindow = Fixtures.cryptWithoutWindow();
        String encrypt = noWindow.encrypt("x");

        for (String timestamp : List.of("0", "1409659813", "99999999999", "not-a-number")) {
            String signature = noWindow.signature(timestamp, "n", encrypt);
            assertDoesNotThrow(() -> noWindow.verifySignature(signature, timestamp, "n", encrypt), timestamp);
        }
    }

    /**
     * WeCom signs the four values sorted, so which of them is the token, the timestamp, the nonce
     * or the ciphertext does not change the signature: every one of the 24 assignments of four
     * values to those roles gives one signature, the SHA-1 of the sorted concatenation.
     */
    @Test
    void signature_is_the_same_for_every_order_of_token_timestamp_nonce_and_ciphertext() {
        List<String> values = List.of("1409659813", "1372623149", "QDG6eK", "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS");
        String expected = sha1Hex(values.stream().sorted().reduce("", String::concat));

        List<String> signatures = new java.util.ArrayList<>();
        for (List<String> order : permutations(values)) {
            WxBizMsgCrypt withToken = new WxBizMsgCrypt(order.get(0), Fixtures.KEY, Fixtures.CORP_ID);
            signatures.add(withToken.signature(order.get(1), order.get(2), order.get(3)));
        }

        assertEquals(24, signatures.size());
        assertEquals(List.of(expected), signatures.stream().distinct().toList(), "one signature for all 24 orders");
        assertTrue(expected.matches("[0-9a-f]{40}"), "lowercase SHA-1 hex: " + expected);
        assertNotEquals(sha1Hex(String.join("", values)), expected, "the values are not given in sorted order");
        assertNotEquals(crypt.signature("1409659813", "1372623149", "abd"),
                crypt.signature("1409659813", "1372623149", "abc"), "another ciphertext, another signature");
    }

    private static List<List<String>> permutations(List<String> values) {
        if (values.isEmpty()) {
            return List.of(List.of());
        }
        List<List<String>> all = new java.util.ArrayList<>();
        for (String first : values) {
            List<String> rest = new java.util.ArrayList<>(values);
            rest.remove(first);
            for (List<String> tail : permutations(rest)) {
                List<String> order = new java.util.ArrayList<>(List.of(first));
                order.addAll(tail);
                all.add(order);
            }
        }
        return all;
    }

    /** A reference SHA-1, independent of the code under test. */
    private static String sha1Hex(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void instances_are_safe_to_share_across_threads() {
        List<String> texts = IntStream.range(0, 2_000).mapToObj(i -> "消息 " + i).toList();

        List<String> decrypted = texts.parallelStream().map(t -> crypt.decrypt(crypt.encrypt(t))).toList();

        assertEquals(texts, decrypted);
    }

    @Test
    void to_string_reveals_neither_token_nor_key() {
        String text = crypt.toString();

        assertFalse(text.contains(Fixtures.TOKEN), text);
        assertFalse(text.contains(Fixtures.KEY), text);
        assertFalse(text.contains(Fixtures.KEY.substring(0, 8)), text);
        assertTrue(text.contains(Fixtures.CORP_ID), text);
    }
}
