package io.spicegate.web.admin;

import jakarta.ws.rs.QueryParam;

/** The filter fields the session log and the audit log share: who, which console, where from, and a period of days. */
public class FilterParams {
    @QueryParam("user") public String user;
    @QueryParam("console") public String console;
    @QueryParam("workstation") public String workstation;
    @QueryParam("from") public String from;
    @QueryParam("to") public String to;
}
