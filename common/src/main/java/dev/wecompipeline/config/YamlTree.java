package dev.wecompipeline.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.wecompipeline.config.ConfigException.Problem;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads config.yaml into a tree whose scalars are all text, exactly as written.
 *
 * <p>Why not {@code ObjectMapper.readTree}: YAML typing turns a token {@code 0123456} into the
 * octal number 42798 and a secret {@code 1e5} into 100000.0, silently breaking signatures. Every
 * setting is parsed from its text by {@link SettingReader} instead. Error messages carry only
 * line and column, never the line's content, which may be a secret.
 *
 * <p>{@link #readForEdit} and {@link #write} let {@code setup} change a config file without
 * retyping its values: scalars stay text and are written back quoted.
 */
public final class YamlTree {

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
    /** Every string quoted, so a token like {@code 0123456} or {@code yes} is never retyped by a reader. */
    private static final YAMLFactory WRITER = YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlTree() {
    }

    /**
     * The document in {@code file}, or {@link MissingNode} if it is empty or unreadable; problems
     * go to {@code problems}, named after the file.
     */
    static JsonNode read(Path file, List<Problem> problems) {
        String label = file.toString();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             JsonParser parser = FACTORY.createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return MissingNode.getInstance();
            }
            if (first != JsonToken.START_OBJECT) {
                problems.add(new Problem(label, "must be a YAML mapping of keys to values"));
                return MissingNode.getInstance();
            }
            return readObject(parser, label, problems);
        } catch (JsonProcessingException e) {
            problems.add(new Problem(label, "is not valid YAML" + where(e.getLocation())));
        } catch (IOException e) {
            problems.add(new Problem(label, "cannot be read: " + e.getClass().getSimpleName()));
        }
        return MissingNode.getInstance();
    }

    /**
     * The mapping in {@code file} with every scalar as text, for changing and writing back; an
     * empty mapping if the file is empty.
     *
     * @throws ConfigException if the file is not a readable YAML mapping
     */
    public static ObjectNode readForEdit(Path file) {
        List<Problem> problems = new java.util.ArrayList<>();
        JsonNode tree = read(file, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return tree instanceof ObjectNode object ? object : NODES.objectNode();
    }

    /** {@code tree} as a YAML document, strings double-quoted. */
    public static String write(JsonNode tree) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper(WRITER).writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML: " + e.getMessage(), e);
        }
    }

    private static JsonNode readValue(JsonParser parser, String label, List<Problem> problems) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> readObject(parser, label, problems);
            case START_ARRAY -> readArray(parser, label, problems);
            case VALUE_NULL -> NODES.nullNode();
            // getText() is the scalar as written, before YAML's number and boolean typing.
            default -> NODES.textNode(parser.getText());
        };
    }

    private static ObjectNode readObject(JsonParser parser, String label, List<Problem> problems)
            throws IOException {
        ObjectNode object = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            JsonLocation at = parser.currentLocation();
            parser.nextToken();
            JsonNode value = readValue(parser, label, problems);
            if (object.has(key)) {
                // YAML says keys are unique; silently taking the last would hide a copy-paste mistake.
                problems.add(new Problem(label, "duplicate key '" + key + "'" + where(at)));
            }
            object.set(key, value);
        }
        return object;
    }

    private static ArrayNode readArray(JsonParser parser, String label, List<Problem> problems) throws IOException {
        ArrayNode array = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            array.add(readValue(parser, label, problems));
        }
        return array;
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
