package dev.wecompipeline.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * WeCom's behaviour for {@code gettoken}, {@code message/send} and {@code media/*}, free of HTTP: takes the request
 * parameters, decides the answer, records the call. Checks run in WeCom's order: transport faults,
 * token, body, injected errcodes, agent, type, content (the {@code media_id} of image, voice,
 * video and file messages), recipients; then duplicate check, per member limits and delivery.
 */
final class WeComApiModel {

    /** What to answer: a status and a WeCom JSON body, or (body null) a bare HTTP error. */
    record Answer(int status, Map<String, Object> body) {
    }

    private static final Set<String> TEXT_MSGTYPES = Set.of("text", "markdown");
    /** Message types that carry {@code {"<type>": {"media_id": ...}}} instead of content. */
    static final Set<String> MEDIA_MSGTYPES = Set.of("image", "voice", "video", "file");

    private final SandboxConfig config;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final TokenRegistry tokens;
    private final FaultPlan faults;
    private final Recorder recorder;
    private final Map<String, Set<String>> invalidUsers = new ConcurrentHashMap<>();
    private final AtomicLong hintSequence = new AtomicLong();
    // Guards the duplicate check and the rate windows together, so two identical concurrent sends
    // can't both pass the check, and a member's window count is exact under load.
    private final Object deliveryLock = new Object();
    private final DuplicateCheck duplicates;
    private final RateWindow rates;
    private final MediaStore media;

    WeComApiModel(SandboxConfig config, Clock clock, ObjectMapper mapper, TokenRegistry tokens, FaultPlan faults,
                  Recorder recorder, MediaStore media) {
        this.config = config;
        this.clock = clock;
        this.mapper = mapper;
        this.tokens = tokens;
        this.faults = faults;
        this.recorder = recorder;
        this.media = media;
        this.duplicates = new DuplicateCheck(config.maxDuplicateCheckInterval());
        this.rates = new RateWindow(config.perUserPerMinute(), config.minuteWindow(), config.perUserPerHour(),
                config.hourWindow());
    }

    void invalidUser(String corpId, String user) {
        invalidUsers.computeIfAbsent(corpId, c -> ConcurrentHashMap.newKeySet()).add(user);
    }

    /** Forgets deliveries for the duplicate check and the rate windows. */
    void clearHistory() {
        synchronized (deliveryLock) {
            duplicates.clear();
            rates.clear();
        }
    }

    Answer gettoken(String corpId, String secret, String callerIp) {
        Instant now = clock.instant();
        int httpStatus = faults.httpStatusFor(now);
        if (httpStatus != 0) {
            return httpFailure(now, ApiEndpoint.GETTOKEN, corpId, null, null, null, httpStatus);
        }
        TokenRegistry.Issue issue;
        if (corpId == null || corpId.isEmpty()) {
            issue = new TokenRegistry.Issue(null, null, 0, WeComErrors.CORPID_MISSING);
        } else if (secret == null || secret.isEmpty()) {
            issue = new TokenRegistry.Issue(null, null, 0, WeComErrors.CORPSECRET_MISSING);
        } else {
            FaultPlan.Forced forced = faults.gettokenFault(now);
            if (forced != null) {
                return reject(now, ApiEndpoint.GETTOKEN, corpId, null, null, null, forced, callerIp);
            }
            issue = tokens.issue(corpId, secret, now);
        }
        if (!issue.ok()) {
            return reject(now, ApiEndpoint.GETTOKEN, corpId, null, null, null, code(issue.errcode()), callerIp);
        }
        recorder.record(new CallRecord(now, ApiEndpoint.GETTOKEN, corpId, issue.app().agentId(), null, null, null, 200,
                WeComErrors.OK, "ok", ApiCallOutcome.TOKEN_ISSUED, false, "", null), List.of());
        Map<String, Object> body = ok();
        body.put("access_token", issue.token());
        body.put("expires_in", issue.expiresInSeconds());
        return new Answer(200, body);
    }

    Answer send(String accessToken, String requestBody, String callerIp) {
        Instant now = clock.instant();
        TokenRegistry.Check check = tokens.check(accessToken, now);
        TokenRegistry.App app = check.app();
        String corpId = app == null ? null : app.corpId();
        Integer agentId = app == null ? null : app.agentId();
        int httpStatus = faults.httpStatusFor(now);
        if (httpStatus != 0) {
            return httpFailure(now, ApiEndpoint.MESSAGE_SEND, corpId, agentId, null, null, httpStatus);
        }
        if (accessToken == null || accessToken.isEmpty()) {
            return reject(now, ApiEndpoint.MESSAGE_SEND, null, null, null, null, code(WeComErrors.ACCESS_TOKEN_MISSING), callerIp);
        }
        if (!check.ok()) {
            return reject(now, ApiEndpoint.MESSAGE_SEND, null, null, null, null, code(check.errcode()), callerIp);
        }
        if (faults.tokenExpiryDue()) {
            tokens.kill(accessToken, WeComErrors.ACCESS_TOKEN_EXPIRED);
            return reject(now, ApiEndpoint.MESSAGE_SEND, corpId, agentId, null, null, code(WeComErrors.ACCESS_TOKEN_EXPIRED), callerIp);
        }
        JsonNode json;
        try {
            json = mapper.readTree(requestBody == null ? "" : requestBody);
        } catch (JsonProcessingException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return reject(now, ApiEndpoint.MESSAGE_SEND, corpId, agentId, null, null, code(WeComErrors.DATA_FORMAT_ERROR), callerIp);
        }
        String touser = json.path("touser").asText("");
        String msgtype = json.path("msgtype").asText("");
        boolean mediaMessage = MEDIA_MSGTYPES.contains(msgtype);
        // For media messages the media_id stands in for the content: it is what is delivered and what
        // the duplicate check compares.
        String content = json.path(msgtype).path(mediaMessage ? "media_id" : "content").asText("");
        Set<String> recipients = new LinkedHashSet<>();
        for (String user : touser.split("\\|")) {
            if (!user.isBlank()) {
                recipients.add(user.trim());
            }
        }
        FaultPlan.Forced forced = faults.sendFault(recipients, now);
        int invalid = forced != null ? forced.errcode()
                : json.path("agentid").asInt(-1) != app.agentId() ? WeComErrors.INVALID_AGENTID
                : !TEXT_MSGTYPES.contains(msgtype) && !mediaMessage ? WeComErrors.INVALID_MESSAGE_TYPE
                : mediaMessage ? media.sendable(corpId, content, msgtype)
                : content.isEmpty() ? WeComErrors.EMPTY_CONTENT
                : WeComErrors.OK;
        if (invalid != WeComErrors.OK) {
            return reject(now, ApiEndpoint.MESSAGE_SEND, corpId, agentId, touser, msgtype,
                    forced != null ? forced : code(invalid), callerIp);
        }
        Set<String> invalidForCorp = invalidUsers.getOrDefault(corpId, Set.of());
        List<String> valid = recipients.stream().filter(u -> !invalidForCorp.contains(u)).toList();
        String invaliduser = String.join("|", recipients.stream().filter(invalidForCorp::contains).toList());
        if (valid.isEmpty()) {
            Answer answer = reject(now, ApiEndpoint.MESSAGE_SEND, corpId, agentId, touser, msgtype,
                    code(WeComErrors.ALL_RECIPIENTS_INVALID), callerIp);
            answer.body().put("invaliduser", invaliduser);
            return answer;
        }
        // The byte limit is on text; a media id is never cut.
        String kept = mediaMessage ? content : Utf8.truncate(content, config.maxContentBytes());
        boolean truncated = kept.length() != content.length();
        String msgid = newMsgid();
        return deliver(new Accepted(now, app, touser, msgtype, content, kept, truncated, msgid, invaliduser, valid,
                json.path("enable_duplicate_check").asInt(0) == 1, duplicateInterval(json)));
    }

    /** The answer to {@code media/get}: media bytes, or (media null) a WeCom JSON error in {@code error}. */
    record MediaAnswer(MediaStore.Served media, Answer error) {
    }

    MediaAnswer mediaGet(String accessToken, String mediaId, String callerIp) {
        Instant now = clock.instant();
        Answer refused = mediaPreamble(ApiEndpoint.MEDIA_GET, accessToken, now, callerIp);
        if (refused != null) {
            return new MediaAnswer(null, refused);
        }
        TokenRegistry.App app = tokens.check(accessToken, now).app();
        MediaStore.Served served = media.get(app.corpId(), mediaId);
        if (served.errcode() != WeComErrors.OK) {
            return new MediaAnswer(null, reject(now, ApiEndpoint.MEDIA_GET, app.corpId(), app.agentId(), null, null,
                    code(served.errcode()), callerIp));
        }
        recorder.record(new CallRecord(now, ApiEndpoint.MEDIA_GET, app.corpId(), app.agentId(), null, null, null, 200,
                WeComErrors.OK, "ok", ApiCallOutcome.MEDIA_SERVED, false, "", null), List.of());
        return new MediaAnswer(served, null);
    }

    Answer mediaUpload(String accessToken, String type, String filename, String contentType, byte[] bytes,
                       String callerIp) {
        Instant now = clock.instant();
        Answer refused = mediaPreamble(ApiEndpoint.MEDIA_UPLOAD, accessToken, now, callerIp);
        if (refused != null) {
            return refused;
        }
        TokenRegistry.App app = tokens.check(accessToken, now).app();
        MediaStore.Uploaded uploaded = media.upload(app.corpId(), type, filename, contentType, bytes);
        if (uploaded.errcode() != WeComErrors.OK) {
            return reject(now, ApiEndpoint.MEDIA_UPLOAD, app.corpId(), app.agentId(), null, type, code(uploaded.errcode()),
                    callerIp);
        }
        recorder.record(new CallRecord(now, ApiEndpoint.MEDIA_UPLOAD, app.corpId(), app.agentId(), null, type, null, 200,
                WeComErrors.OK, "ok", ApiCallOutcome.MEDIA_STORED, false, "", null), List.of());
        Map<String, Object> body = ok();
        body.put("type", uploaded.type());
        body.put("media_id", uploaded.mediaId());
        body.put("created_at", String.valueOf(uploaded.createdAt().getEpochSecond()));
        return new Answer(200, body);
    }

    /** Transport faults, token checks and injected errcodes shared by both media endpoints; null to go on. */
    private Answer mediaPreamble(ApiEndpoint api, String accessToken, Instant now, String callerIp) {
        TokenRegistry.Check check = tokens.check(accessToken, now);
        TokenRegistry.App app = check.app();
        String corpId = app == null ? null : app.corpId();
        Integer agentId = app == null ? null : app.agentId();
        int httpStatus = faults.httpStatusFor(now);
        if (httpStatus != 0) {
            return httpFailure(now, api, corpId, agentId, null, null, httpStatus);
        }
        if (accessToken == null || accessToken.isEmpty()) {
            return reject(now, api, null, null, null, null, code(WeComErrors.ACCESS_TOKEN_MISSING), callerIp);
        }
        if (!check.ok()) {
            return reject(now, api, null, null, null, null, code(check.errcode()), callerIp);
        }
        FaultPlan.Forced forced = faults.mediaFault(api, now);
        if (forced != null) {
            return reject(now, api, corpId, agentId, null, null, forced, callerIp);
        }
        return null;
    }

    /** A send that passed every check: what {@link #deliver} needs. */
    private record Accepted(Instant now, TokenRegistry.App app, String touser, String msgtype, String content,
                            String kept, boolean truncated, String msgid, String invaliduser, List<String> recipients,
                            boolean duplicateCheck, Duration duplicateInterval) {
    }

    private Answer deliver(Accepted a) {
        String corpId = a.app().corpId();
        int agentId = a.app().agentId();
        List<ReceivedMessage> delivered = new ArrayList<>();
        ApiCallOutcome outcome;
        synchronized (deliveryLock) {
            String key = DuplicateCheck.key(corpId, agentId, a.touser(), a.msgtype(), a.content());
            if (a.duplicateCheck() && duplicates.isDuplicate(key, a.now(), a.duplicateInterval())) {
                outcome = ApiCallOutcome.DUPLICATE_SUPPRESSED;
            } else {
                boolean dropped = false;
                for (String user : a.recipients()) {
                    if (rates.tryAcquire(corpId + '\u0000' + agentId + '\u0000' + user, a.now())) {
                        delivered.add(new ReceivedMessage(a.now(), corpId, agentId, user, a.msgtype(), a.kept(),
                                a.truncated(), a.msgid()));
                    } else {
                        dropped = true;
                    }
                }
                if (!delivered.isEmpty()) {
                    duplicates.remember(key, a.now());
                }
                outcome = dropped ? ApiCallOutcome.DROPPED_OVER_LIMIT : ApiCallOutcome.DELIVERED;
            }
            // Recorded under the lock so the order of records is the order of decisions.
            recorder.record(new CallRecord(a.now(), ApiEndpoint.MESSAGE_SEND, corpId, agentId, a.touser(), a.msgtype(),
                    a.kept(), 200, WeComErrors.OK, "ok", outcome, a.truncated(), a.invaliduser(), a.msgid()), delivered);
        }
        Map<String, Object> body = ok();
        // WeCom answers ok whether it delivered, suppressed a duplicate or dropped over the limit.
        body.put("invaliduser", a.invaliduser());
        body.put("msgid", a.msgid());
        return new Answer(200, body);
    }

    private Duration duplicateInterval(JsonNode json) {
        long seconds = json.path("duplicate_check_interval").asLong(0);
        if (seconds <= 0) {
            return config.duplicateCheckInterval();
        }
        Duration asked = Duration.ofSeconds(seconds);
        return asked.compareTo(config.maxDuplicateCheckInterval()) > 0 ? config.maxDuplicateCheckInterval() : asked;
    }

    private Answer reject(Instant now, ApiEndpoint api, String corpId, Integer agentId, String touser, String msgtype,
                          FaultPlan.Forced forced, String callerIp) {
        String errmsg = forced.errmsg() != null ? forced.errmsg() : errmsg(forced.errcode(),
                forced.fromIp() != null ? forced.fromIp() : callerIp);
        recorder.record(new CallRecord(now, api, corpId, agentId, touser, msgtype, null, 200, forced.errcode(), errmsg,
                ApiCallOutcome.REJECTED, false, "", null), List.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errcode", forced.errcode());
        body.put("errmsg", errmsg);
        return new Answer(200, body);
    }

    private Answer httpFailure(Instant now, ApiEndpoint api, String corpId, Integer agentId, String touser, String msgtype,
                               int status) {
        recorder.record(new CallRecord(now, api, corpId, agentId, touser, msgtype, null, status, null, null,
                ApiCallOutcome.HTTP_FAILURE, false, "", null), List.of());
        return new Answer(status, null);
    }

    private String errmsg(int errcode, String ip) {
        String text = WeComErrors.message(errcode);
        if (!config.errmsgHints()) {
            return text;
        }
        String hint = clock.instant().getEpochSecond() + "_" + hintSequence.incrementAndGet() + "_"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        return WeComErrors.messageWithHint(errcode, text, hint, ip);
    }

    private static FaultPlan.Forced code(int errcode) {
        return new FaultPlan.Forced(errcode, null, null);
    }

    private static Map<String, Object> ok() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errcode", WeComErrors.OK);
        body.put("errmsg", "ok");
        return body;
    }

    private static String newMsgid() {
        // Not from the fault Random: ids must not shift the sequence of injected faults.
        byte[] bytes = new byte[24];
        ThreadLocalRandom.current().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
