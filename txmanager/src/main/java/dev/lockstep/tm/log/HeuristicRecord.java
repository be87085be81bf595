package dev.lockstep.tm.log;
public record HeuristicRecord(byte[] gtrid, byte[] bqual, String resourceName, HeuristicOutcome outcome, long atMillis) implements LogRecord { }
