package dev.lockstep.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What the health details and the endpoint mask in free text. */
class SecretRedactorTest {

    @Test
    void masksEveryConfiguredPasswordAndUrlCredentials() {
        LockstepProperties p = new LockstepProperties();
        LockstepProperties.DataSource orders = new LockstepProperties.DataSource();
        orders.setPassword("orders-pw");
        p.getDatasources().put("orders", orders);
        LockstepProperties.Jms events = new LockstepProperties.Jms();
        events.setPassword("broker-pw");
        p.getJms().put("events", events);
        p.getDecisionStore().setPassword("store-pw");
        SecretRedactor r = SecretRedactor.of(p);

        assertEquals("login failed for orders with ******, broker ******, store ******",
                r.redact("login failed for orders with orders-pw, broker broker-pw, store store-pw"));
        assertEquals("jdbc:postgresql://db/app?user=app&password=******&ssl=true",
                r.redact("jdbc:postgresql://db/app?user=app&password=unconfigured&ssl=true"));
        assertEquals("tcp://admin:******@broker:61616 refused", r.redact("tcp://admin:secret@broker:61616 refused"));
        assertEquals("XAER_RMFAIL connection reset", r.redact("XAER_RMFAIL connection reset"));
        assertNull(r.redact(null));
    }
}
