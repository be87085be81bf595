package dev.lockstep.bench.real;

import jakarta.jms.ConnectionFactory;
import jakarta.transaction.TransactionManager;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A transaction manager with its pools for the real-resource workload: two enlisting DataSources and an enlisting
 * JMS ConnectionFactory on the same servers, pools of the same size for every TM.
 */
public interface RealSystem extends AutoCloseable {

    TransactionManager transactionManager();

    DataSource postgres();

    DataSource mariadb();

    ConnectionFactory broker();

    Map<String, String> configuration();

    @Override
    void close() throws Exception;
}
