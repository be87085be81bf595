package dev.lockstep.jms;

import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.jms.client.ActiveMQDestination;
import org.apache.activemq.artemis.jms.client.ActiveMQSession;
import org.messaginghub.pooled.jms.JmsPoolSession;

/**
 * The queues that a factory's sessions looked up, handed back so that a transaction does not pay the lookup's broker
 * round trips again. Artemis' {@code Session.createQueue(name)} asks the broker whether the queue exists (one
 * blocking round trip), and the first send to each new {@code Queue} object asks twice more (the address, then the
 * queue) before it marks that object as checked. JMS code that looks its queue up in each transaction pays all three
 * in every transaction, beside the branch's three or four XA calls (docs/xa-quirks.md). Handing back the object that
 * a send already checked costs none.
 *
 * <p>Only queues that the broker does not delete by itself are kept. Artemis deletes an auto-created queue (by
 * default) once it has neither consumers nor messages; a send through an object already marked as checked would then
 * be routed nowhere and dropped without an error, where a fresh object's check would have created the queue again.
 * So auto-deleted queues, temporary queues and queues that do not exist yet are looked up by Artemis on each call, as
 * without this cache; which kind a queue is, one more round trip asks the broker the first time. A kept queue is
 * looked up again after {@link #RECHECK_NANOS}, which bounds how long a queue deleted by hand stays unnoticed. At most
 * {@link #MAX_QUEUES} names are kept.
 */
final class QueueCache {

    static final int MAX_QUEUES = 1024;
    static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** A queue the broker keeps ({@code queue}), or, with null, a name the broker said it does not keep. */
    private record Kept(Queue queue, long checkedAt) {
    }

    private final ConcurrentHashMap<String, Kept> queues = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    QueueCache() {
        this(System::nanoTime);
    }

    QueueCache(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * {@code pooled.createQueue(name)}, or the queue object kept from an earlier call with the same name. A name the
     * broker said it does not keep is looked up by Artemis each time, without asking the broker again which kind it
     * is until {@link #RECHECK_NANOS} passed.
     */
    Queue createQueue(Session pooled, String name) throws JMSException {
        long now = nanoTime.getAsLong();
        Kept kept = name == null ? null : queues.get(name);
        boolean fresh = kept != null && now - kept.checkedAt < RECHECK_NANOS;
        if (fresh && kept.queue != null) {
            return kept.queue;
        }
        Queue queue = pooled.createQueue(name);
        if (fresh || name == null) {
            return queue;
        }
        Boolean stays = stays(pooled, queue);
        if (stays == null) {
            if (kept != null) {
                queues.remove(name, kept);
            }
        } else if (kept != null || queues.size() < MAX_QUEUES) {
            queues.put(name, new Kept(stays ? queue : null, now));
        }
        return queue;
    }

    /** How many queues are kept. */
    int size() {
        return (int) queues.values().stream().filter(k -> k.queue != null).count();
    }

    /**
     * Whether the broker keeps {@code queue} until someone deletes it: it exists, is not temporary and is not
     * auto-deleted; null where no broker answer is had (not Artemis' session, a temporary queue, the query failed),
     * which keeps the name out of the cache either way.
     */
    private static Boolean stays(Session pooled, Queue queue) throws JMSException {
        if (!(pooled instanceof JmsPoolSession p) || !(p.getInternalSession() instanceof ActiveMQSession artemis)
                || !(queue instanceof ActiveMQDestination destination) || destination.isTemporary()) {
            return null;
        }
        try {
            ClientSession.QueueQuery q = artemis.getCoreSession().queueQuery(destination.getSimpleAddress());
            return q.isExists() && !q.isTemporary() && Boolean.FALSE.equals(q.isAutoDelete());
        } catch (ActiveMQException e) {
            return null; // the session's next call reports a broken connection; this one only saves round trips
        }
    }
}
