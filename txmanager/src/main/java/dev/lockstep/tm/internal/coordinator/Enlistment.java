package dev.lockstep.tm.internal.coordinator;

import javax.transaction.xa.XAResource;

/** The association of one XAResource object with a branch: started, suspended, ended or failed. */
final class Enlistment {

    enum Association { ACTIVE, SUSPENDED, ENDED, FAILED }

    final XAResource resource;
    final Branch branch;
    Association association = Association.ACTIVE;

    Enlistment(XAResource resource, Branch branch) {
        this.resource = resource;
        this.branch = branch;
    }
}
