package dev.lockstep.bench.micro;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.arjuna.objectstore.StoreManager;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqJournalEnvironmentBean;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqObjectStoreAdaptor;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.transaction.xa.XAResource;

/**
 * Narayana's JTA transaction manager (arjunacore, local transactions), with its default file object store
 * (ShadowNoFileLockStore) or with its journal store (HornetqObjectStoreAdaptor on the Artemis journal), in both
 * cases with synchronous writes on, as Narayana's documentation asks for durability. Narayana is configured through
 * global beans, so there is one configuration per JVM: each trial runs in its own JVM.
 */
public final class NarayanaSystem implements TxSystem {

    /** Which of Narayana's object stores holds the transaction log. */
    public enum Store { FILE, JOURNAL }

    private final Store store;
    private final Map<String, String> configuration = new LinkedHashMap<>();
    private final TransactionManager tm;

    public NarayanaSystem(Path dir, Store store) throws CoreEnvironmentBeanException {
        this.store = store;
        this.tm = configure(dir, store, configuration);
    }

    /** Configures Narayana's global beans (before its first use in this JVM) and returns its TransactionManager. */
    public static TransactionManager configure(Path dir, Store store, Map<String, String> configuration)
            throws CoreEnvironmentBeanException {
        String objectStoreDir = dir.resolve("narayana-store").toString();
        arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("bench");
        configuration.put("nodeIdentifier", "bench");
        for (String name : new String[] {null, "communicationStore", "stateStore"}) {
            ObjectStoreEnvironmentBean os = name == null
                    ? BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
                    : BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name);
            os.setObjectStoreDir(objectStoreDir);
            os.setTransactionSync(true);
            os.setObjectStoreSync(true);
        }
        configuration.put("ObjectStoreEnvironmentBean", "objectStoreDir=" + objectStoreDir
                + ", transactionSync=true, objectStoreSync=true (default, communicationStore and stateStore)");
        if (store == Store.JOURNAL) {
            BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
                    .setObjectStoreType(HornetqObjectStoreAdaptor.class.getName());
            HornetqJournalEnvironmentBean journal = BeanPopulator.getDefaultInstance(
                    HornetqJournalEnvironmentBean.class);
            String journalDir = dir.resolve("narayana-journal").toString();
            journal.setStoreDir(journalDir);
            journal.setSyncWrites(true);
            journal.setSyncDeletes(true);
            configuration.put("objectStoreType", HornetqObjectStoreAdaptor.class.getName());
            configuration.put("HornetqJournalEnvironmentBean", "storeDir=" + journalDir + ", syncWrites=true, "
                    + "syncDeletes=true, asyncIO=" + journal.isAsyncIO() + " (falls back to NIO without libaio), "
                    + "bufferFlushesPerSecond=" + journal.getBufferFlushesPerSecond() + ", fileSize="
                    + journal.getFileSize() + ", minFiles=" + journal.getMinFiles() + " (defaults otherwise)");
        } else {
            configuration.put("objectStoreType", BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
                    .getObjectStoreType() + " (the default: ShadowNoFileLockStore, one file per transaction)");
        }
        configuration.put("CoordinatorEnvironmentBean", "commitOnePhase="
                + arjPropertyManager.getCoordinatorEnvironmentBean().isCommitOnePhase() + ", readonlyOptimisation="
                + arjPropertyManager.getCoordinatorEnvironmentBean().isReadonlyOptimisation() + ", asyncCommit="
                + arjPropertyManager.getCoordinatorEnvironmentBean().isAsyncCommit() + ", asyncPrepare="
                + arjPropertyManager.getCoordinatorEnvironmentBean().isAsyncPrepare() + " (defaults)");
        configuration.put("recovery manager", "not started (not on the commit path)");
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    @Override
    public void transaction(XAResource[] resources) throws Exception {
        JtaTransactions.run(tm, resources);
    }

    @Override
    public Map<String, String> configuration() {
        return configuration;
    }

    @Override
    public void close() {
        StoreManager.shutdown();
    }

    @Override
    public String toString() {
        return "Narayana (" + store + ")";
    }
}
