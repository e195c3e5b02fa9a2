-- The portal's runtime role (QUARKUS_DATASOURCE_USERNAME) owns nothing and gets only what it needs: rows of every
-- table and sequence of the schema, now and in later migrations (default privileges of the owner that runs
-- them); audit rows it may only add and read (no UPDATE, DELETE or TRUNCATE; as a non-owner it cannot disable the
-- audit trigger either); the audit chain's key boundary and Flyway's history it may not change.
-- Repeatable: Flyway runs it again whenever it or the runtime role's name (a placeholder) changes.
-- With one role for both (the owner is the runtime role) there is nothing to grant; the portal warns at start.
do $$
declare
    runtime text := '${runtime_role}';
    schema  text := current_schema();
begin
    if runtime = '' or runtime = current_user then
        raise notice 'one database role for migrations and runtime: no grants';
        return;
    end if;
    execute format('grant usage on schema %I to %I', schema, runtime);
    execute format('grant select, insert, update, delete on all tables in schema %I to %I', schema, runtime);
    -- sequences: nextval needs USAGE; no UPDATE, so no setval (which could make every audit insert collide)
    execute format('grant usage, select on all sequences in schema %I to %I', schema, runtime);
    execute format('revoke update on all sequences in schema %I from %I', schema, runtime);
    execute format('alter default privileges in schema %I grant select, insert, update, delete on tables to %I', schema, runtime);
    execute format('alter default privileges in schema %I grant usage, select on sequences to %I', schema, runtime);
    execute format('alter default privileges in schema %I revoke update on sequences from %I', schema, runtime);
    -- the audit: append and read only
    execute format('revoke update, delete, truncate, references, trigger on audit_event from %I', runtime);
    -- ... but for the sealer's one fill of a row's links (V15: the trigger allows nothing else, once per row)
    execute format('grant update (prev_hash, hash, chain_seq) on audit_event to %I', runtime);
    execute format('revoke insert, update, delete, truncate, references, trigger on audit_chain from %I', runtime);
    if to_regclass('flyway_schema_history') is not null then
        execute format('revoke all on flyway_schema_history from %I', runtime);
    end if;
end
$$;
