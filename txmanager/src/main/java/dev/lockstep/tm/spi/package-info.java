/**
 * What pools, brokers and tests plug into: named XAResources, resources registered for recovery, crash points.
 */
package dev.lockstep.tm.spi;
