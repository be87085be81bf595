package dev.lockstep.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A tiny entity with an assigned id, so that nothing reaches the database before the flush. */
@Entity
public class Note {
    @Id
    public String id;
    public String text;

    public Note() {
    }

    Note(String id, String text) {
        this.id = id;
        this.text = text;
    }
}
