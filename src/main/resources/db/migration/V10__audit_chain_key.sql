-- The audit chain is keyed (HMAC-SHA-256 with SPICEGATE_AUDIT_KEY, kept outside the database) from the first row
-- appended after this migration on. Rows before it were chained by earlier versions with plain SHA-256; the
-- verifier checks them that way. Written once, here, by the owner role: the portal's runtime role may only read it
-- (R__runtime_role_grants.sql), so it cannot move the boundary to pass rewritten rows off as unkeyed ones.
create table audit_chain (
    singleton  boolean primary key default true check (singleton),
    keyed_from bigint  not null
);
insert into audit_chain (keyed_from) select coalesce(max(id), 0) + 1 from audit_event;
