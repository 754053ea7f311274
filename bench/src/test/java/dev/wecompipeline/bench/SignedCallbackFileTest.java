package dev.wecompipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wecompipeline.crypto.WxBizMsgCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The callbacks the load generators send: every one distinct and valid, as the ingress checks them. */
class SignedCallbackFileTest {

    private static final Pattern ENCRYPT = Pattern.compile("<Encrypt><!\\[CDATA\\[([^\\]]+)]]></Encrypt>");

    private static String field(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">(?:<!\\[CDATA\\[)?([^<\\]]*)").matcher(xml);
        assertTrue(m.find(), name + " in " + xml);
        return m.group(1);
    }

    @Test
    void every_line_is_a_distinct_validly_signed_callback_from_its_own_user(@TempDir Path dir) throws Exception {
        CallbackSimulator sim = SideBySideBench.sim(8645);
        long before = System.currentTimeMillis() / 1000;
        Path file = SignedCallbackFile.write(dir.resolve("run.txt"), sim, "run", 500);
        List<SignedCallbackFile.Line> lines = SignedCallbackFile.read(file);
        assertEquals(500, lines.size());

        WxBizMsgCrypt crypt = new WxBizMsgCrypt(BenchEnv.TOKEN, BenchEnv.AES_KEY, BenchEnv.CORP);
        Set<String> msgIds = new HashSet<>();
        Set<String> users = new HashSet<>();
        Set<String> requests = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            SignedCallbackFile.Line l = lines.get(i);
            Map<String, String> q = new HashMap<>();
            for (String kv : l.query().split("&")) {
                String[] p = kv.split("=", 2);
                q.put(p[0], URLDecoder.decode(p[1], StandardCharsets.UTF_8));
            }
            Matcher enc = ENCRYPT.matcher(l.body());
            assertTrue(enc.find(), l.body());
            // Throws if the signature does not match: the ingress would answer 400.
            crypt.verifySignature(q.get("msg_signature"), q.get("timestamp"), q.get("nonce"), enc.group(1));
            long ts = Long.parseLong(q.get("timestamp"));
            assertTrue(Math.abs(ts - before) <= WxBizMsgCrypt.DEFAULT_TIMESTAMP_WINDOW.toSeconds(), "timestamp in the window");
            String inner = crypt.decrypt(enc.group(1));
            msgIds.add(field(inner, "MsgId"));
            users.add(field(inner, "FromUserName"));
            assertEquals(SignedCallbackFile.text("run", i), field(inner, "Content"));
            requests.add(l.query() + l.body());
        }
        assertEquals(500, msgIds.size(), "distinct MsgIds: the dedupe cache never answers one");
        assertEquals(500, users.size(), "a user each: WeCom's per-user limits never throttle the replies");
        assertEquals(500, requests.size());
    }

    @Test
    void the_wrk_script_formats_each_line_of_the_file_once_and_posts_them_in_turn() {
        String lua = Wrk.LUA;
        assertTrue(lua.contains("function init(args)"));
        assertTrue(lua.contains("io.lines(args[1])"));
        assertTrue(lua.contains("local path = args[2]"));
        assertTrue(lua.contains("line:find(\"\\t\", 1, true)"), "splits at the tab the file uses");
        assertTrue(lua.contains("function request()"));
        assertTrue(lua.contains("requests[n] = wrk.format(\"POST\", path .. \"?\" .. line:sub(1, tab - 1), headers, line:sub(tab + 1))"),
                "formats every request once, in init, before wrk's clock starts");
        assertTrue(lua.contains("return requests[(i - 1) % n + 1]"), "each line in turn, then again from the first");
        assertTrue(lua.contains("[\"Content-Type\"] = \"text/xml\""));
    }
}
