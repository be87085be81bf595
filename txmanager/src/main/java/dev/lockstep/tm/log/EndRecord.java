package dev.lockstep.tm.log;
public record EndRecord(byte[] gtrid) implements LogRecord { }
