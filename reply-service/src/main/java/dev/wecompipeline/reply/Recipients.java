package dev.wecompipeline.reply;

import java.util.regex.Pattern;

/**
 * Who a reply may go to: exactly one WeCom member. {@code message/send}'s {@code touser} also takes
 * {@code @all} (every member in the app's visible range) and lists joined by {@code |}, so a reply
 * record naming such a recipient, whether by a bug, a tampered topic or an agent that put user text
 * into the recipient, would broadcast an answer meant for one person. The reply-service therefore
 * sends only to a single user id and dead-letters anything else.
 *
 * <p>The rule is WeCom's own for a UserID: 1 to 64 characters of ASCII letters, digits and
 * {@code _ - @ .}, the first a letter or digit. That refuses {@code @all}, {@code a|b}, the empty
 * string, white space, control characters and absurd lengths.
 */
final class Recipients {

    static final int MAX_USER_ID_LENGTH = 64;
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_@.\\-]{0," + (MAX_USER_ID_LENGTH - 1) + "}");
    /** How much of a refused recipient the dead letter's errmsg shows. */
    private static final int SHOWN = 80;

    private Recipients() {
    }

    /** Whether {@code touser} is exactly one user id WeCom could have issued. */
    static boolean isSingleUser(String touser) {
        return touser != null && USER_ID.matcher(touser).matches();
    }

    /** Why {@code touser} is refused, for the dead letter's errmsg (printable, bounded). */
    static String refusal(String touser) {
        String why;
        if (touser == null || touser.isEmpty()) {
            why = "is empty";
        } else if (touser.contains("|")) {
            why = "is a list ('|'); a reply goes to one user";
        } else if (touser.equalsIgnoreCase("@all")) {
            why = "is @all (everyone in the app's range); a reply goes to one user";
        } else if (touser.length() > MAX_USER_ID_LENGTH) {
            why = "is " + touser.length() + " characters long (at most " + MAX_USER_ID_LENGTH + ")";
        } else {
            why = "is not a WeCom user id (1-" + MAX_USER_ID_LENGTH
                    + " letters, digits, '_', '-', '@' or '.', starting with a letter or digit)";
        }
        return "touser " + shown(touser) + " " + why + "; not sent";
    }

    /** The value quoted with non-printable characters escaped, cut to {@link #SHOWN} characters. */
    private static String shown(String touser) {
        if (touser == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder("'");
        touser.codePoints().limit(SHOWN).forEach(c -> {
            if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.getType(c) == Character.FORMAT) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        out.append(touser.codePointCount(0, touser.length()) > SHOWN ? "'..." : "'");
        return out.toString();
    }
}
