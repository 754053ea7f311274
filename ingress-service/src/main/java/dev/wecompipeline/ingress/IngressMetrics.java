package dev.wecompipeline.ingress;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The ingress's meters, registered once; handlers only increment and record. */
final class IngressMetrics {

    private final Map<CallbackOutcome, Counter> requests = new EnumMap<>(CallbackOutcome.class);
    private final Timer publish;
    private final Timer handling;

    IngressMetrics(MeterRegistry registry) {
        for (CallbackOutcome o : CallbackOutcome.values()) {
            requests.put(o, Counter.builder("wecom.ingress.requests")
                    .description("Callback requests by outcome")
                    .tag("outcome", o.tag())
                    .register(registry));
        }
        publish = Timer.builder("wecom.ingress.publish")
                .description("Time from send to Kafka acknowledgement (acks=all)")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        handling = Timer.builder("wecom.ingress.handling")
                .description("Time from request arrival to response")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
    }

    void count(CallbackOutcome outcome) {
        requests.get(outcome).increment();
    }

    double count(String outcomeTag) {
        return requests.get(CallbackOutcome.valueOf(outcomeTag.toUpperCase(java.util.Locale.ROOT))).count();
    }

    void recordPublish(long nanos) {
        publish.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void recordHandling(long nanos) {
        handling.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
