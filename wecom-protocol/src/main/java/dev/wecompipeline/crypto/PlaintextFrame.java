package dev.wecompipeline.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The WXBizMsgCrypt plaintext frame: 16 random bytes, a 4-byte big-endian message length, the
 * UTF-8 message, the receive_id, then PKCS#7 padding to a multiple of 32 bytes. Kept apart from
 * the AES and signature code so each can be read on its own.
 */
final class PlaintextFrame {

    static final int RANDOM_BYTES = 16;
    private static final int HEADER_BYTES = RANDOM_BYTES + 4;
    // Tencent pads to 32 bytes, not to the AES block size, so pad values run 1..32.
    private static final int PAD_BLOCK = 32;

    private PlaintextFrame() {
    }

    /**
     * Builds a padded frame ready for AES-CBC without further padding.
     *
     * @throws EncryptionException if the message contains unpaired surrogates
     */
    static byte[] seal(byte[] randomPrefix, String message, byte[] receiveIdBytes) {
        byte[] messageBytes = strictUtf8(message);
        int unpadded = HEADER_BYTES + messageBytes.length + receiveIdBytes.length;
        int pad = PAD_BLOCK - unpadded % PAD_BLOCK;
        byte[] frame = new byte[unpadded + pad];
        ByteBuffer.wrap(frame)
                .put(randomPrefix, 0, RANDOM_BYTES)
                .putInt(messageBytes.length)
                .put(messageBytes)
                .put(receiveIdBytes);
        Arrays.fill(frame, unpadded, frame.length, (byte) pad);
        Arrays.fill(messageBytes, (byte) 0);
        return frame;
    }

    /**
     * Checks padding, length field and receive_id of a decrypted frame and returns its message.
     *
     * @throws IllegalBufferException if the frame is malformed
     * @throws ReceiveIdMismatchException if it is addressed to another receive id
     */
    static String open(byte[] plain, byte[] receiveIdBytes) {
        int pad = plain[plain.length - 1] & 0xff;
        if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) {
            throw new IllegalBufferException("PKCS#7 padding value out of range 1.." + PAD_BLOCK);
        }
        // Check every padding byte, without an early exit, so a wrong key or tampered tail is caught
        // here rather than surfacing later as a misleading receive-id mismatch.
        int diff = 0;
        for (int i = plain.length - pad; i < plain.length; i++) {
            diff |= (plain[i] & 0xff) ^ pad;
        }
        if (diff != 0) {
            throw new IllegalBufferException("PKCS#7 padding bytes are inconsistent");
        }
        int contentEnd = plain.length - pad;
        if (contentEnd < HEADER_BYTES) {
            throw new IllegalBufferException("decrypted frame is shorter than its " + HEADER_BYTES + "-byte header");
        }
        int messageLength = ByteBuffer.wrap(plain, RANDOM_BYTES, 4).getInt();
        // Compare in long arithmetic so a huge length cannot overflow into a plausible one.
        if (messageLength < 0 || (long) HEADER_BYTES + messageLength > contentEnd) {
            throw new IllegalBufferException("length field points outside the decrypted frame");
        }
        int messageEnd = HEADER_BYTES + messageLength;
        // The JDK's range comparison, without copying the range out. It need not be constant-time (as
        // the padding check above must be): the receive id is the corp id, which the same callback
        // carries in the clear as its envelope's ToUserName.
        if (!Arrays.equals(plain, messageEnd, contentEnd, receiveIdBytes, 0, receiveIdBytes.length)) {
            throw new ReceiveIdMismatchException("receive_id in the message does not match the configured one");
        }
        // The String constructor is the fast path but replaces malformed input with U+FFFD; only when
        // that character appears does the strict decoder tell a genuine one from a replacement.
        String message = new String(plain, HEADER_BYTES, messageLength, StandardCharsets.UTF_8);
        if (message.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(plain, HEADER_BYTES, messageLength));
            } catch (CharacterCodingException e) {
                // No cause attached: its message could echo decrypted bytes.
                throw new IllegalBufferException("decrypted message is not valid UTF-8");
            }
        }
        return message;
    }

    private static byte[] strictUtf8(String text) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            // String.getBytes would silently turn a lone surrogate into '?', changing the message.
            throw new EncryptionException("plaintext contains an unpaired surrogate");
        }
    }
}
