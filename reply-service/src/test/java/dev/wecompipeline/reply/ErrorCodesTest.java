package dev.wecompipeline.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;

import dev.wecompipeline.wecom.ErrorCodes;
import dev.wecompipeline.wecom.PermanentWeComException;
import dev.wecompipeline.wecom.RetriableWeComException;
import dev.wecompipeline.wecom.WeComException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ErrorCodesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {-1, 45009, 45033, 40014, 42001, 42007, 42009})
    void busy_limits_and_token_trouble_are_retriable(int errcode) {
        WeComException e = ErrorCodes.forAnswer(errcode, "x");
        assertInstanceOf(RetriableWeComException.class, e);
        assertEquals(errcode, e.errcode());
        assertEquals(Integer.toString(errcode), e.code());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {40008, 40056, 44004, 45002, 48002, 60011, 60020, 81013, 82001, 301002, 40001, 99999})
    void refusals_of_the_message_and_unknown_codes_are_permanent(int errcode) {
        assertInstanceOf(PermanentWeComException.class, ErrorCodes.forAnswer(errcode, "x"));
    }

    @Test
    void io_errors_and_timeouts_are_retriable_and_leave_the_outcome_unknown() {
        WeComException io = ErrorCodes.forFailure(new CompletionException(new IOException("reset")));
        WeComException timeout = ErrorCodes.forFailure(new HttpTimeoutException("slow"));
        assertInstanceOf(RetriableWeComException.class, io);
        assertEquals("io", io.code());
        assertEquals("timeout", timeout.code());
        assertEquals(true, timeout.outcomeUnknown());
        assertEquals(false, ErrorCodes.forAnswer(-1, "busy").outcomeUnknown(), "WeCom answered: nothing delivered");
    }

    @Test
    void tokens_and_secrets_are_masked_in_messages() {
        assertEquals("GET /cgi-bin/gettoken?corpid=ww1&corpsecret=*** failed, access_token=***",
                ErrorCodes.redact("GET /cgi-bin/gettoken?corpid=ww1&corpsecret=s3cr3t failed, access_token=abc.def"));
    }
}
