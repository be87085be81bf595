/**
 * The decision log's record format and reader: the part of the log that the recovery service reads too. The byte
 * layout lives in {@link dev.lockstep.tm.log.RecordCodec} and is mirrored in {@code docs/log-format.md}.
 */
package dev.lockstep.tm.log;
