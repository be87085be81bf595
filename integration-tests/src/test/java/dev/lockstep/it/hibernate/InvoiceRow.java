package dev.lockstep.it.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of the MariaDB unit. */
@Entity
@Table(name = "hib_invoices")
public class InvoiceRow {
    @Id
    public String id;
    public int amount;

    public InvoiceRow() {
    }

    InvoiceRow(String id, int amount) {
        this.id = id;
        this.amount = amount;
    }
}
