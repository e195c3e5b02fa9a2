package io.spicegate.archfixture.dirty.access;

import com.fasterxml.jackson.databind.ObjectMapper;

/** ArchitectureTest fixture: an access class that names Jackson (access is java-only). */
public class Window {

    public ObjectMapper json;
}
