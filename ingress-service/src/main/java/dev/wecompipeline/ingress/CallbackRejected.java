package dev.wecompipeline.ingress;

/**
 * A callback turned away by one of the ingress's checks. Carries the outcome (and so the HTTP
 * status) and a reason for the one log line; neither ever contains secrets or message content.
 * High-rate and expected, so no stack trace is captured.
 */
final class CallbackRejected extends RuntimeException {

    private final CallbackOutcome outcome;

    CallbackRejected(CallbackOutcome outcome, String reason) {
        super(reason, null, false, false);
        this.outcome = outcome;
    }

    CallbackOutcome outcome() {
        return outcome;
    }
}
