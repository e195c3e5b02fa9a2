-- Audit ids come from the identity sequence and start at 1. Anyone with INSERT can still choose an id
-- (OVERRIDING SYSTEM VALUE); a row with id <= 0 would sort before the chain's first row. The verifier walks every
-- row from the smallest id, and this constraint refuses such rows outright.
alter table audit_event add constraint audit_event_id_positive check (id > 0);
