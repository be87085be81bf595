package dev.lockstep.tm.internal.recovery;

/** One incarnation of one node. */
record IncKey(String nodeId, long incarnation) {
    @Override
    public String toString() {
        return "node " + nodeId + " incarnation " + incarnation;
    }
}
