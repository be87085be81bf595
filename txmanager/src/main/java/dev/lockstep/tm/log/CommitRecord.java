package dev.lockstep.tm.log;
import java.util.List;
public record CommitRecord(byte[] gtrid, long decidedAtMillis, List<Branch> branches) implements LogRecord {
    public record Branch(byte[] bqual, String resourceName) { }
}
