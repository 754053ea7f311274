package dev.wecompipeline.worker.agent;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wecompipeline.kafka.JsonSerde;

/**
 * What the {@code command} agent's program reads on stdin: one line of JSON, the
 * {@link dev.wecompipeline.kafka.InboundMessage} as on Kafka plus the user's earlier turns and the
 * fetched media's local paths. Its counterpart for stdout is {@link CommandAnswer}.
 */
final class CommandInput {

    private CommandInput() {
    }

    /** The line, ending in a newline. */
    static byte[] of(AgentRequest request) throws AgentException {
        try {
            ObjectNode json = JsonSerde.MAPPER.valueToTree(request.message());
            json.set("history", JsonSerde.MAPPER.valueToTree(request.history()));
            // Local paths of the fetched media; the files are deleted when the command is done.
            ArrayNode media = json.putArray("media");
            for (FetchedMedia m : request.media()) {
                ObjectNode item = media.addObject();
                item.put("type", m.type());
                item.put("media_id", m.mediaId());
                if (m.fetched()) {
                    item.put("path", m.file().toAbsolutePath().toString());
                    item.put("content_type", m.contentType());
                    item.put("size", m.size());
                    if (m.filename() != null) {
                        item.put("filename", m.filename());
                    }
                } else {
                    item.put("error", m.error());
                }
            }
            // One line ending in a newline, so line-reading programs ("read -r line") see all of it.
            return (JsonSerde.MAPPER.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new AgentException("cannot write the message as JSON: " + e.getMessage(), e);
        }
    }
}
