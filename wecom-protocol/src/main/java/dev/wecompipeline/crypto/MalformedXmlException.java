package dev.wecompipeline.crypto;

/**
 * The callback body or the decrypted message is not acceptable XML: not well-formed, missing a required element, or using a DOCTYPE or entity reference (refused outright, as Tencent's SDK does, to rule out XXE and entity expansion).
 *
 * <p>Error code {@link WeComCryptoException#PARSE_XML_ERROR}.
 */
public class MalformedXmlException extends WeComCryptoException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, free of secrets and plaintext */
    public MalformedXmlException(String message) {
        super(PARSE_XML_ERROR, message, null);
    }

    /**
     * @param message what failed, free of secrets and plaintext
     * @param cause the underlying failure, or {@code null}
     */
    public MalformedXmlException(String message, Throwable cause) {
        super(PARSE_XML_ERROR, message, cause);
    }
}
