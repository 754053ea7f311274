package dev.wecompipeline.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One failure per Tencent error code, each with the right type, code and a secret-free message. */
class WxBizMsgCryptErrorsTest {

    private static final String SECRET_TEXT = "top secret plaintext 机密";

    private final WxBizMsgCrypt crypt = Fixtures.crypt();
    private final String now = Long.toString(Fixtures.NOW);

    @Test
    void tampered_signature_is_rejected() {
        String encrypt = crypt.encrypt(SECRET_TEXT);
        String signature = crypt.signature(now, "n", encrypt);
        String tampered = (signature.charAt(0) == 'a' ? 'b' : 'a') + signature.substring(1);

        SignatureMismatchException e = expect(SignatureMismatchException.class,
                WeComCryptoException.VALIDATE_SIGNATURE_ERROR,
                () -> Fixtures.openPost(crypt, tampered, now, "n", Fixtures.envelope(encrypt)));

        assertFalse(e instanceof StaleTimestampException);
    }

    @Test
    void uppercase_signature_is_rejected_because_wecom_sends_lowercase() {
        String encrypt = crypt.encrypt("x");
        String signature = crypt.signature(now, "n", encrypt).toUpperCase();

        expect(SignatureMismatchException.class, WeComCryptoException.VALIDATE_SIGNATURE_ERROR,
                () -> crypt.verifySignature(signature, now, "n", encrypt));
    }

    @Test
    void signature_over_a_different_nonce_is_rejected() {
        String encrypt = crypt.encrypt("x");
        String signature = crypt.signature(now, "n1", encrypt);

        expect(SignatureMismatchException.class, WeComCryptoException.VALIDATE_SIGNATURE_ERROR,
                () -> crypt.verifySignature(signature, now, "n2", encrypt));
    }

    @Test
    void missing_verification_arguments_are_a_signature_mismatch() {
        String encrypt = crypt.encrypt("x");
        String signature = crypt.signature(now, "n", encrypt);

        expect(SignatureMismatchException.class, -40001, () -> crypt.verifySignature(null, now, "n", encrypt));
        expect(SignatureMismatchException.class, -40001, () -> crypt.verifySignature(signature, null, "n", encrypt));
        expect(SignatureMismatchException.class, -40001, () -> crypt.verifySignature(signature, now, null, encrypt));
        expect(SignatureMismatchException.class, -40001, () -> crypt.verifySignature(signature, now, "n", null));
        expect(SignatureMismatchException.class, -40001, () -> Fixtures.openVerification(crypt, signature, now, "n", null));
    }

    @Test
    void signed_timestamp_that_is_not_a_number_is_rejected_when_the_window_is_on() {
        String encrypt = crypt.encrypt("x");
        for (String timestamp : List.of("", "abc", "-5", "+5", "1.5", "1700000000 ", "1234567890123456789")) {
            String signature = crypt.signature(timestamp, "n", encrypt);

            SignatureMismatchException e = expect(SignatureMismatchException.class, -40001,
                    () -> crypt.verifySignature(signature, timestamp, "n", encrypt));
            assertFalse(e instanceof StaleTimestampException, timestamp);
        }
    }

    @Test
    void stale_timestamp_in_the_past_is_rejected_with_its_skew() {
        String timestamp = Long.toString(Fixtures.NOW - 301);
        String encrypt = crypt.encrypt("x");
        String signature = crypt.signature(timestamp, "n", encrypt);

        StaleTimestampException e = expect(StaleTimestampException.class, -40001,
                () -> crypt.verifySignature(signature, timestamp, "n", encrypt));

        assertEquals(-301, e.skewSeconds());
        assertEquals(Duration.ofSeconds(300), e.window());
        assertEquals("timestamp is 301 s behind our clock; accepted window is +/-300 s", e.getMessage());
    }

    @Test
    void stale_timestamp_in_the_future_is_rejected_with_its_skew() {
        String timestamp = Long.toString(Fixtures.NOW + 3600);
        String encrypt = crypt.encrypt("x");
        String signature = crypt.signature(timestamp, "n", encrypt);

        StaleTimestampException e = expect(StaleTimestampException.class, -40001,
                () -> Fixtures.openVerification(crypt, signature, timestamp, "n", encrypt));

        assertEquals(3600, e.skewSeconds());
        assertEquals("timestamp is 3600 s ahead of our clock; accepted window is +/-300 s", e.getMessage());
    }

    @Test
    void a_forged_signature_with_a_stale_timestamp_is_reported_as_a_mismatch_not_as_stale() {
        String timestamp = Long.toString(Fixtures.NOW - 10_000);

        SignatureMismatchException e = expect(SignatureMismatchException.class, -40001,
                () -> crypt.verifySignature("0".repeat(40), timestamp, "n", crypt.encrypt("x")));

        assertFalse(e instanceof StaleTimestampException);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not xml", "<xml><Encrypt>abc</Encrypt>", "<xml><ToUserName>x</ToUserName></xml>",
            "<xml><Encrypt>   </Encrypt></xml>", "<xml><Encrypt/></xml>", "<xml></xml><xml></xml>",
            "<xml><Encrypt>abc</Encrypt></xml>trailing"})
    void broken_outer_xml_is_a_parse_error(String body) {
        expect(MalformedXmlException.class, WeComCryptoException.PARSE_XML_ERROR,
                () -> Fixtures.openPost(crypt, "0".repeat(40), now, "n", body));
    }

    @Test
    void missing_outer_xml_is_a_parse_error() {
        expect(MalformedXmlException.class, -40002, () -> Fixtures.openPost(crypt, "0".repeat(40), now, "n", null));
    }

    @Test
    void signature_without_inputs_cannot_be_computed() {
        expect(WeComCryptoException.class, WeComCryptoException.COMPUTE_SIGNATURE_ERROR,
                () -> crypt.signature(null, "n", "e"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2",     // 42 characters
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2CC",   // 44 characters
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B-C",    // URL-safe alphabet is not Tencent's
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B*C",
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B=C",
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q 2BC",
        "",
    })
    void malformed_aes_key_is_rejected_without_echoing_it(String key) {
        IllegalAesKeyException e = expect(IllegalAesKeyException.class, WeComCryptoException.ILLEGAL_AES_KEY,
                () -> new WxBizMsgCrypt(Fixtures.TOKEN, key, Fixtures.CORP_ID));

        assertFalse(!key.isEmpty() && e.getMessage().contains(key), e.getMessage());
        assertFalse(e.getMessage().contains("jWmYm7qr"), e.getMessage());
    }

    @Test
    void missing_aes_key_is_rejected() {
        expect(IllegalAesKeyException.class, -40004, () -> new WxBizMsgCrypt(Fixtures.TOKEN, null, Fixtures.CORP_ID));
    }

    @Test
    void message_for_another_corp_is_rejected() {
        WxBizMsgCrypt otherCorp = new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY, "ww0000000000000000");
        String encrypt = otherCorp.encrypt(SECRET_TEXT);

        expect(ReceiveIdMismatchException.class, WeComCryptoException.VALIDATE_CORPID_ERROR,
                () -> crypt.decrypt(encrypt));
    }

    @Test
    void receive_id_that_is_a_prefix_of_ours_is_rejected() {
        String shorter = Fixtures.CORP_ID.substring(0, Fixtures.CORP_ID.length() - 1);
        String encrypt = new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY, shorter).encrypt("x");

        expect(ReceiveIdMismatchException.class, -40005, () -> crypt.decrypt(encrypt));
    }

    @Test
    void reply_that_is_missing_or_not_unicode_cannot_be_encrypted() {
        expect(EncryptionException.class, WeComCryptoException.ENCRYPT_AES_ERROR, () -> crypt.encrypt(null));
        expect(EncryptionException.class, -40006, () -> crypt.encrypt("lone surrogate \uD800 here"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 17, 31, 33})
    void ciphertext_that_is_not_whole_aes_blocks_fails_to_decrypt(int length) {
        String encrypt = Base64.getEncoder().encodeToString(new byte[length]);

        expect(DecryptionException.class, WeComCryptoException.DECRYPT_AES_ERROR, () -> crypt.decrypt(encrypt));
    }

    @Test
    void empty_ciphertext_fails_to_decrypt() {
        expect(DecryptionException.class, -40007, () -> crypt.decrypt(""));
    }

    @Test
    void a_single_wrong_padding_byte_is_an_illegal_buffer() {
        byte[] frame = frame(SECRET_TEXT, Fixtures.CORP_ID);
        int pad = frame[frame.length - 1];
        assertTrue(pad >= 2, "the test needs at least two padding bytes, got " + pad);
        frame[frame.length - pad] ^= 1;

        expect(IllegalBufferException.class, WeComCryptoException.ILLEGAL_BUFFER,
                () -> crypt.decrypt(Fixtures.rawEncrypt(frame)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 33, 0xff})
    void padding_value_out_of_range_is_an_illegal_buffer(int padValue) {
        byte[] frame = frame(SECRET_TEXT, Fixtures.CORP_ID);
        frame[frame.length - 1] = (byte) padValue;

        expect(IllegalBufferException.class, -40008, () -> crypt.decrypt(Fixtures.rawEncrypt(frame)));
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 10_000, Integer.MAX_VALUE})
    void length_field_outside_the_frame_is_an_illegal_buffer(int length) {
        byte[] frame = frame(SECRET_TEXT, Fixtures.CORP_ID);
        ByteBuffer.wrap(frame).putInt(16, length);

        expect(IllegalBufferException.class, -40008, () -> crypt.decrypt(Fixtures.rawEncrypt(frame)));
    }

    @Test
    void frame_shorter_than_its_header_is_an_illegal_buffer() {
        byte[] frame = new byte[32];
        java.util.Arrays.fill(frame, 16, 32, (byte) 16);

        expect(IllegalBufferException.class, -40008, () -> crypt.decrypt(Fixtures.rawEncrypt(frame)));
    }

    @Test
    void message_that_is_not_utf8_is_an_illegal_buffer() {
        byte[] message = {'o', 'k', (byte) 0xC3, (byte) 0x28};
        byte[] corp = Fixtures.CORP_ID.getBytes(StandardCharsets.UTF_8);
        byte[] frame = pad(ByteBuffer.allocate(20 + message.length + corp.length)
                .put(new byte[16]).putInt(message.length).put(message).put(corp).array());

        expect(IllegalBufferException.class, -40008, () -> crypt.decrypt(Fixtures.rawEncrypt(frame)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64!", "abc", "YWJj\nZGVm", "YWJjZA=", "====", "YWJj ZGVm", "ＡＢＣＤ"})
    void ciphertext_that_is_not_base64_is_a_decode_error(String encrypt) {
        expect(Base64DecodeException.class, WeComCryptoException.DECODE_BASE64_ERROR, () -> crypt.decrypt(encrypt));
    }

    @Test
    void missing_ciphertext_is_a_decode_error() {
        expect(Base64DecodeException.class, -40010, () -> crypt.decrypt(null));
    }

    @Test
    void exceptions_carry_no_stack_trace_and_no_secrets() {
        List<Executable> failures = List.of(
                () -> crypt.decrypt(new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY, "other").encrypt(SECRET_TEXT)),
                () -> crypt.verifySignature("0".repeat(40), now, "n", crypt.encrypt(SECRET_TEXT)),
                () -> Fixtures.openPost(crypt, "0".repeat(40), now, "n", "<xml><Content>" + SECRET_TEXT + "</Conte"),
                () -> crypt.decrypt(Fixtures.rawEncrypt(frame(SECRET_TEXT + "\u0000", "x"))),
                () -> new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY + "A", Fixtures.CORP_ID));
        for (Executable failure : failures) {
            WeComCryptoException e = assertThrows(WeComCryptoException.class, failure);
            String text = e.toString();

            assertEquals(0, e.getStackTrace().length, text);
            assertFalse(text.contains(Fixtures.TOKEN), text);
            assertFalse(text.contains(Fixtures.KEY.substring(0, 10)), text);
            assertFalse(text.contains("secret") || text.contains("机密"), text);
        }
    }

    @Test
    void blank_token_or_receive_id_is_a_configuration_error() {
        assertThrows(IllegalArgumentException.class, () -> new WxBizMsgCrypt(" ", Fixtures.KEY, Fixtures.CORP_ID));
        assertThrows(IllegalArgumentException.class, () -> new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY, ""));
        assertThrows(IllegalArgumentException.class, () -> new WxBizMsgCrypt(Fixtures.TOKEN, Fixtures.KEY,
                Fixtures.CORP_ID, Duration.ofSeconds(-1), Fixtures.CLOCK, new Random()));
    }

    /** A well-formed frame (zero random prefix) padded to 32 bytes. */
    private static byte[] frame(String message, String receiveId) {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        byte[] id = receiveId.getBytes(StandardCharsets.UTF_8);
        return pad(ByteBuffer.allocate(20 + msg.length + id.length).put(new byte[16]).putInt(msg.length)
                .put(msg).put(id).array());
    }

    private static byte[] pad(byte[] unpadded) {
        int pad = 32 - unpadded.length % 32;
        byte[] padded = java.util.Arrays.copyOf(unpadded, unpadded.length + pad);
        java.util.Arrays.fill(padded, unpadded.length, padded.length, (byte) pad);
        return padded;
    }

    private static <T extends WeComCryptoException> T expect(Class<T> type, int code, Executable call) {
        T e = assertThrows(type, call);
        assertEquals(code, e.errorCode(), e.toString());
        return e;
    }
}
