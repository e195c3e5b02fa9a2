package io.spicegate.archfixture.dirty.web;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** ArchitectureTest fixture: a page calling a Panache finder (never run). */
public class Page {

    public long count() {
        return PanacheEntityBase.count();
    }
}
