package io.spicegate.archfixture.dirty.web;

import jakarta.persistence.EntityManager;

/** ArchitectureTest fixture: a page holding an EntityManager. */
public class Form {

    public EntityManager em;
}
