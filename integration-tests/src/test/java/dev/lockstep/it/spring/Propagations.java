package dev.lockstep.it.spring;

import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * One {@code @Transactional} method per behaviour under test, each running the work it is given: tests compose them
 * ({@code tx.required(() -> tx.requiresNew(...))}) and every call goes through Spring's proxy.
 */
public class Propagations {

    /** Work that may throw a checked exception. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /** A checked exception of the application. */
    public static class CheckedFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public CheckedFailure(String message) {
            super(message);
        }
    }

    @Transactional
    public void required(Work work) throws Exception {
        work.run();
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void requiresNew(Work work) throws Exception {
        work.run();
    }

    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    public void notSupported(Work work) throws Exception {
        work.run();
    }

    @Transactional(propagation = Propagation.NESTED)
    public void nested(Work work) throws Exception {
        work.run();
    }

    @Transactional(readOnly = true)
    public void readOnly(Work work) throws Exception {
        work.run();
    }

    @Transactional(timeout = 1)
    public void timeoutOneSecond(Work work) throws Exception {
        work.run();
    }

    @Transactional(rollbackFor = CheckedFailure.class)
    public void rollbackForChecked(Work work) throws Exception {
        work.run();
    }

    @Transactional(noRollbackFor = IllegalArgumentException.class)
    public void noRollbackForIllegalArgument(Work work) throws Exception {
        work.run();
    }
}
