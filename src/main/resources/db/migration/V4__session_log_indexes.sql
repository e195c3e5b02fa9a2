-- The admin session log and audit pages: keyset pages, newest first, cursor (starts_at, id) / id.
-- Each filter the log offers has an index whose leading column is the filter and whose tail is the
-- cursor, so a page is an index range scan of at most page-size rows at any table size.

-- unfiltered, and the period filter (starts_at range)
create index console_session_log on console_session (starts_at, id);
-- user, console, workstation: names are copies kept after deletes, so the log filters on them
create index console_session_log_user on console_session (username, starts_at, id);
create index console_session_log_console on console_session (console_name, starts_at, id);
create index console_session_log_workstation on console_session (workstation_name, starts_at, id);
-- state: REVOKED and ACTIVE are rare among millions of EXPIRED/ENDED rows
create index console_session_log_state on console_session (state, starts_at, id);
-- authorised by an approved request
create index console_session_log_request on console_session (approved_request_id, starts_at, id)
    where approved_request_id is not null;

-- the per-session timeline and the audit page's workstation and action filters
create index audit_event_session on audit_event (session_id, id) where session_id is not null;
create index audit_event_workstation on audit_event (workstation, id);
create index audit_event_action on audit_event (action, id);
