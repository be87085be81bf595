package dev.lockstep.it.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of the PostgreSQL unit; assigned ids, so that no SQL runs before the flush. */
@Entity
@Table(name = "hib_orders")
public class OrderRow {
    @Id
    public String id;
    public int amount;

    public OrderRow() {
    }

    OrderRow(String id, int amount) {
        this.id = id;
        this.amount = amount;
    }
}
