package dev.wecompipeline.setup;

import java.util.List;

/**
 * What the operator told {@code setup} about one app, after validation.
 *
 * @param appName        the apps-list entry to add, or {@code null} for the single app (named {@code default})
 * @param corpId         the enterprise's Corp ID
 * @param corpSecret     the app's Secret (never printed)
 * @param agentId        the app's AgentId
 * @param token          the callback Token, generated or pasted from the console
 * @param encodingAesKey the 43-character EncodingAESKey, generated or pasted
 * @param allowedUsers   user ids allowed to talk to the agent (empty with {@code allowAllUsers})
 * @param allowAllUsers  everyone in the corp may talk to the agent
 * @param publicUrl      the URL WeCom will call, or {@code null} if not known yet
 */
public record SetupAnswers(String appName, String corpId, String corpSecret, String agentId, String token,
                           String encodingAesKey, List<String> allowedUsers, boolean allowAllUsers, String publicUrl) {

    public SetupAnswers {
        allowedUsers = List.copyOf(allowedUsers);
    }

    public boolean multiApp() {
        return appName != null;
    }

    /** The entered users as the configuration should hold them: scoped to this corp when apps share the list. */
    public List<String> scopedUsers() {
        if (!multiApp()) {
            return allowedUsers;
        }
        return allowedUsers.stream().map(u -> u.contains(":") ? u : corpId + ":" + u).toList();
    }

    @Override
    public String toString() {
        return "SetupAnswers[app=" + appName + ", corpId=" + corpId + ", agentId=" + agentId + ", users=" + allowedUsers
                + ", allowAll=" + allowAllUsers + ", publicUrl=" + publicUrl + "]";
    }
}
