package dev.wecompipeline.crypto;

import java.util.Random;

/** Seeded generators of hostile and ordinary inputs for {@link WxBizMsgCryptFuzzTest}. */
final class FuzzInputs {

    private static final String XML_NOISE = "<>/!?[]&;#%\"'= \n\t\u0000\uFFFE\uD800a中=+";
    private static final String BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final String[] XML_PIECES = {"<xml>", "</xml>", "<Encrypt>", "</Encrypt>", "<![CDATA[", "]]>",
        "<!DOCTYPE xml>", "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>", "&amp;", "&x;", "&#0;",
        "&#x1F600;", "<?xml version='1.0'?>", "<?xml version=\"1.1\" encoding=\"GBK\"?>", "<!--", "-->", "<a b='c'>",
        "</a>", "<ToUserName>", "</ToUserName>", "<Encrypt/>", "\u0000", " ", "中文", "<", ">", "="};

    private FuzzInputs() {
    }

    /** Text mixing ASCII, CJK, emoji (surrogate pairs) and XML metacharacters; may be empty. */
    static String text(Random rnd, int maxLength) {
        int length = rnd.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder(length + 2);
        while (sb.length() < length) {
            switch (rnd.nextInt(5)) {
                case 0 -> sb.append((char) (0x20 + rnd.nextInt(95)));
                case 1 -> sb.append((char) (0x4E00 + rnd.nextInt(0x9FA5 - 0x4E00)));
                case 2 -> sb.appendCodePoint(0x1F600 + rnd.nextInt(0x50));
                case 3 -> sb.append("<>&]]>\"'\n\t\r".charAt(rnd.nextInt(11)));
                default -> sb.append((char) ('a' + rnd.nextInt(26)));
            }
        }
        return sb.toString();
    }

    /** Text that looks a little like base64, with stray characters; may be empty. */
    static String base64ish(Random rnd, int maxLength) {
        String alphabet = BASE64 + "=\n -_*中%.";
        StringBuilder sb = new StringBuilder();
        int length = rnd.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            sb.append(rnd.nextInt(10) == 0 ? alphabet.charAt(rnd.nextInt(alphabet.length()))
                    : BASE64.charAt(rnd.nextInt(BASE64.length())));
        }
        return sb.toString();
    }

    /** Tag soup from XML fragments, random text and base64 runs. */
    static String tagSoup(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int pieces = 1 + rnd.nextInt(12);
        for (int i = 0; i < pieces; i++) {
            switch (rnd.nextInt(4)) {
                case 0 -> sb.append(text(rnd, 12));
                case 1 -> sb.append(base64ish(rnd, 40));
                default -> sb.append(XML_PIECES[rnd.nextInt(XML_PIECES.length)]);
            }
        }
        return sb.toString();
    }

    /** Applies 1 to 4 random edits: deletions, insertions, substitutions, duplications, truncation, hostile splices. */
    static String mutate(Random rnd, String xml) {
        String s = xml;
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = s.isEmpty() ? 0 : rnd.nextInt(s.length());
            s = switch (rnd.nextInt(10)) {
                case 0 -> s.isEmpty() ? s : s.substring(0, at) + s.substring(at + 1);
                case 1 -> s.substring(0, at) + XML_NOISE.charAt(rnd.nextInt(XML_NOISE.length())) + s.substring(at);
                case 2 -> s.isEmpty() ? s
                        : s.substring(0, at) + XML_NOISE.charAt(rnd.nextInt(XML_NOISE.length())) + s.substring(at + 1);
                case 3 -> {
                    int end = Math.min(s.length(), at + 1 + rnd.nextInt(20));
                    int to = rnd.nextInt(s.length() + 1);
                    yield s.substring(0, to) + s.substring(at, end) + s.substring(to);
                }
                case 4 -> s.substring(0, at);
                case 5 -> "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + s;
                case 6 -> s.substring(0, at) + "&xxe;" + s.substring(at);
                case 7 -> s.isEmpty() ? s
                        : s.substring(0, at) + BASE64.charAt(rnd.nextInt(BASE64.length())) + s.substring(at + 1);
                case 8 -> s.substring(0, at) + "<Encrypt><![CDATA[" + base64ish(rnd, 24) + "]]></Encrypt>"
                        + s.substring(at);
                default -> s.substring(0, at) + XML_PIECES[rnd.nextInt(XML_PIECES.length)] + s.substring(at);
            };
        }
        return s;
    }

    static String abbreviate(String s) {
        return s == null || s.length() <= 200 ? String.valueOf(s) : s.substring(0, 200) + "...";
    }
}
