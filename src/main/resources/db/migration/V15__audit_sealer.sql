-- The audit chain is linked by a sealer, not by the appending transaction (issue 17): every audited transaction
-- inserts its row unchained (prev_hash, hash and chain_seq null), so no transaction waits for another's commit; one
-- sealer per cluster (AuditSealer, chosen by an advisory lock) then fills in the links of committed rows, in an order
-- of its own: chain_seq. Ids come from a sequence and are not commit order, so the chain cannot follow them.
alter table audit_event
    alter column prev_hash drop not null,
    alter column hash drop not null,
    add column chain_seq   bigint,
    -- when the row was inserted, by the database's clock: how long it has waited to be sealed (not hashed; `at` is the
    -- event's time by the portal's clock and may be any instant a test or a replica's clock says)
    add column appended_at timestamptz,
    -- the appender's own keyed MAC of the row's content (with a random nonce): the sealer links whatever rows are
    -- committed, so without it anyone allowed to INSERT could have a row of his own sealed into the chain; the verifier
    -- checks it on every row appended from now on (audit_chain.row_mac_from), and a copied row collides on it
    add column row_nonce   text,
    add column row_mac     text;

-- rows already linked keep their links: they are the chain's first rows, in id order, as they were linked
alter table audit_event disable trigger audit_event_no_update;
update audit_event a set chain_seq = s.n, appended_at = a.at
    from (select id, row_number() over (order by id) as n from audit_event) s where s.id = a.id;
alter table audit_event enable trigger audit_event_no_update;

alter table audit_event
    alter column appended_at set default clock_timestamp(),
    alter column appended_at set not null,
    add constraint audit_event_chain_seq_unique unique (chain_seq);
create unique index audit_event_row_mac on audit_event (row_mac) where row_mac is not null;
-- the first place in the chain whose row must carry a valid row MAC: every row appended after this migration
alter table audit_chain add column row_mac_from bigint;
update audit_chain set row_mac_from = (select coalesce(max(chain_seq), 0) + 1 from audit_event);
alter table audit_chain alter column row_mac_from set not null;
-- the sealer's work list, and the unsealed tail the verifier and the metrics look at
create index audit_event_unsealed on audit_event (id) where chain_seq is null;

-- Append-only, except the seal: a row is inserted without links, and its links (prev_hash, hash, chain_seq) are
-- filled in once, all three together, nothing else of the row changed, as the next link of the chain: chain_seq one
-- after a sealed row whose hash is this row's prev_hash (or the first row after the genesis link). With chain_seq
-- unique, the chain can neither fork nor skip a place. A sealed row is never sealed again, nor changed, nor deleted.
-- An AFTER trigger, so an insert's own constraints (audit_event_id_positive) speak first; raising still undoes it.
create or replace function audit_event_append_only() returns trigger language plpgsql as $$
declare
    links constant text[] := array['prev_hash', 'hash', 'chain_seq'];
begin
    if tg_op = 'INSERT' then
        if new.prev_hash is null and new.hash is null and new.chain_seq is null then
            return null;
        end if;
        raise exception 'audit rows are appended unsealed: only the sealer links them' using errcode = 'insufficient_privilege';
    end if;
    if tg_op = 'UPDATE'
            and old.prev_hash is null and old.hash is null and old.chain_seq is null
            and new.prev_hash is not null and new.hash is not null and new.chain_seq is not null
            and to_jsonb(new) - links = to_jsonb(old) - links
            and ((new.chain_seq = 1 and new.prev_hash = repeat('0', 64))
                 or exists (select 1 from audit_event p where p.chain_seq = new.chain_seq - 1 and p.hash = new.prev_hash)) then
        return null;
    end if;
    raise exception 'the audit log is append-only' using errcode = 'insufficient_privilege';
end $$;
drop trigger audit_event_no_update on audit_event;
create trigger audit_event_no_update after insert or update or delete on audit_event
    for each row execute function audit_event_append_only();
