package dev.wecompipeline.setup;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Asks questions on a terminal or on any input stream (tests, {@code setup < answers.txt}).
 * Secrets are read without echo when a console is attached.
 */
public final class Prompter {

    /** Wrong answers to one question before setup gives up (a script feeding wrong input must not loop). */
    static final int MAX_ATTEMPTS = 5;

    private final BufferedReader in;
    private final PrintStream out;
    private final Console console;

    /** @param console the terminal for reading secrets without echo, or {@code null} when input is not one */
    public Prompter(BufferedReader in, PrintStream out, Console console) {
        this.in = in;
        this.out = out;
        this.console = console;
    }

    /**
     * Asks until {@code check} accepts the (stripped) answer: it returns a problem to show, or empty.
     * An empty answer returns {@code fallback} when that is not null.
     */
    public String ask(String question, String fallback, boolean secret, Function<String, Optional<String>> check) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            out.print(question + ": ");
            out.flush();
            String raw = secret && console != null ? readSecret() : readLine(question);
            String answer = raw.strip();
            if (!answer.equals(raw) && !answer.isEmpty()) {
                out.println("  (removed surrounding whitespace: a classic cause of signature failures)");
            }
            if (answer.isEmpty() && fallback != null) {
                return fallback;
            }
            Optional<String> problem = check.apply(answer);
            if (problem.isEmpty()) {
                return answer;
            }
            out.println("  " + problem.get() + "; try again");
        }
        throw new SetupException("no valid answer to \"" + question + "\" after " + MAX_ATTEMPTS + " attempts");
    }

    /** A yes/no question; an empty answer means {@code defaultYes}. */
    public boolean confirm(String question, boolean defaultYes) {
        String answer = ask(question + (defaultYes ? " [Y/n]" : " [y/N]"), defaultYes ? "y" : "n", false,
                a -> a.matches("(?i)y|yes|n|no") ? Optional.empty() : Optional.of("answer y or n"));
        return answer.toLowerCase(java.util.Locale.ROOT).startsWith("y");
    }

    private String readSecret() {
        char[] chars = console.readPassword();
        if (chars == null) {
            throw endOfInput();
        }
        return new String(chars);
    }

    private String readLine(String question) {
        try {
            String line = in.readLine();
            if (line == null) {
                out.println();
                throw endOfInput();
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SetupException endOfInput() {
        return new SetupException("standard input ended before setup had all answers; give the missing values as "
                + "options (see --help) and add --non-interactive");
    }
}
