package dev.lockstep.tm.log;
public interface LogRecord { }
