/**
 * What each database product needs beyond plain XA, one small class per vendor (docs/xa-quirks.md): PostgreSQL's
 * prepared-transaction check and failed-branch vote, MySQL/MariaDB's recovery filter and privilege message.
 */
package dev.lockstep.jdbc.vendor;
