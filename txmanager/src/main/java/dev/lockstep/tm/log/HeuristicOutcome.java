package dev.lockstep.tm.log;
public enum HeuristicOutcome { ROLLBACK, MIXED, HAZARD, LOST }
