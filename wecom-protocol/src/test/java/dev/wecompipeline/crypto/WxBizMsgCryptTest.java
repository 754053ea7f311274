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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void encrypt_msg_produces_a_reply_that_decrypt_msg_accepts() {
        String timestamp = Long.toString(Fixtures.NOW);
        String reply = "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>";

        String xml = crypt.encryptMsg(reply, timestamp, "1372623149");

        Matcher sig = Pattern.compile("<MsgSignature><!\\[CDATA\\[([0-9a-f]{40})]]></MsgSignature>").matcher(xml);
        assertTrue(sig.find(), xml);
        assertTrue(xml.startsWith("<xml><Encrypt><![CDATA["), xml);
        assertTrue(xml.contains("<TimeStamp>" + timestamp + "</TimeStamp>"), xml);
        assertTrue(xml.endsWith("<Nonce><![CDATA[1372623149]]></Nonce></xml>"), xml);
        assertEquals(reply, crypt.decryptMsg(sig.group(1), timestamp, "1372623149", xml));
    }

    @Test
    void a_message_encrypted_for_wecom_round_trips_through_the_xml_parser() {
        InboundXmlMessage original = InboundXmlMessage.text(Fixtures.CORP_ID, "zhangsan", Fixtures.NOW, "1000002",
                "1234567890123456789", "帮我总结一下 <今天> 的会议 & 待办");
        String timestamp = Long.toString(Fixtures.NOW);
        String encrypt = crypt.encrypt(WeComXml.toXml(original));
        String signature = crypt.signature(timestamp, "42", encrypt);

        String inner = crypt.decryptMsg(signature, timestamp, "42", Fixtures.envelope(encrypt));

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

    @Test
    void signature_is_order_independent_lowercase_sha1_hex() {
        String signature = crypt.signature("1409659813", "1372623149", "abc");

        assertTrue(signature.matches("[0-9a-f]{40}"), signature);
        assertEquals(crypt.signature("1409659813", "1372623149", "abc"), signature);
        assertNotEquals(crypt.signature("1409659813", "1372623149", "abd"), signature);
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
