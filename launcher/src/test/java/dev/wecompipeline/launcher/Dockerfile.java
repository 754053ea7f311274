package dev.wecompipeline.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Dockerfile read as Docker reads it, for tests on a machine without Docker: comments dropped,
 * {@code \} continuations joined, one instruction per line, grouped into stages by {@code FROM}.
 *
 * <pre>{@code
 * Dockerfile.Stage run = Dockerfile.parse(text).get(1);
 * List<String> entrypoint = run.exec("ENTRYPOINT");   // the exec (JSON) form, as a list
 * }</pre>
 */
final class Dockerfile {

    /** One instruction: its keyword in upper case and the rest of its line. */
    record Instruction(String keyword, String arguments) {
    }

    /**
     * A build stage: its base image, its {@code AS} name (or null) and its instructions after {@code FROM}.
     */
    record Stage(String image, String name, List<Instruction> instructions) {

        /** The arguments of every {@code keyword} instruction of this stage, in order. */
        List<String> arguments(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        /** The one {@code keyword} instruction (ENTRYPOINT, CMD) in its exec form, as its list of words. */
        List<String> exec(String keyword) {
            List<String> all = arguments(keyword);
            if (all.size() != 1) {
                throw new AssertionError("expected one " + keyword + ", found " + all);
            }
            try {
                return new ObjectMapper().readValue(all.get(0), new TypeReference<List<String>>() { });
            } catch (JsonProcessingException e) {
                throw new AssertionError(keyword + " is not in exec (JSON) form: " + all.get(0), e);
            }
        }
    }

    private Dockerfile() {
    }

    static List<Stage> parse(String text) {
        List<Stage> stages = new ArrayList<>();
        for (String line : logicalLines(text)) {
            String[] parts = line.split("\\s+", 2);
            String keyword = parts[0].toUpperCase(Locale.ROOT);
            String arguments = parts.length > 1 ? parts[1].strip() : "";
            if (keyword.equals("FROM")) {
                String[] from = arguments.split("\\s+");
                boolean named = from.length == 3 && from[1].equalsIgnoreCase("AS");
                if (from.length != 1 && !named) {
                    throw new AssertionError("FROM <image> [AS <name>] expected: " + line);
                }
                stages.add(new Stage(from[0], named ? from[2] : null, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                throw new AssertionError(keyword + " before the first FROM");
            } else {
                stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, arguments));
            }
        }
        return stages;
    }

    private static List<String> logicalLines(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            lines.add(current.toString().strip());
            current.setLength(0);
        }
        if (!current.isEmpty()) {
            lines.add(current.toString().strip());
        }
        return lines;
    }
}
