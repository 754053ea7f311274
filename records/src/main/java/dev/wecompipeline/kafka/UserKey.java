package dev.wecompipeline.kafka;

import java.util.Objects;

/**
 * The Kafka record key of everything about one WeCom user: {@code corp_id:user_id}.
 *
 * <p>User ids are only unique inside a corp, so a bare user id would let two corps' users share
 * a partition order and a conversation history. Keying by corp and user keeps each user's
 * messages in one partition (so in order) and apart from every other corp's.
 */
public record UserKey(String corpId, String userId) {

    private static final char SEPARATOR = ':';

    public UserKey {
        Objects.requireNonNull(corpId, "corpId");
        Objects.requireNonNull(userId, "userId");
        if (corpId.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("corp id must not contain ':'");
        }
    }

    /** Parses {@code corp:user}; the user part may itself contain ':' (corp ids never do). */
    public static UserKey parse(String key) {
        int i = key.indexOf(SEPARATOR);
        if (i <= 0) {
            throw new IllegalArgumentException("not a corp_id:user_id key: " + key);
        }
        return new UserKey(key.substring(0, i), key.substring(i + 1));
    }

    @Override
    public String toString() {
        return corpId + SEPARATOR + userId;
    }
}
