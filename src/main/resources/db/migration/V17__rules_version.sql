-- The rules version (issue 17, My consoles at 20 000 rules): one number that grows whenever an input of a user's
-- access decisions may have changed, so that a replica may keep a user's compiled rule set and trust it exactly as
-- long as the version it was read at is still the current one.
--
-- The database bumps it itself, by triggers, so that no way of changing those inputs can forget to (admin API,
-- directory refresh, cascades of a delete, an operator's SQL): rules, their windows and approvers; consoles (the
-- card shows name and description); groups and memberships; a user's username or active flag, or his deletion.
--
-- The bump is a deferred constraint trigger: it takes the one-row lock at commit, after every other lock of the
-- transaction, so two transactions cannot deadlock over it, and it runs once per transaction however many rows
-- changed. Its pg_notify('spicegate_rules', <stamp>) reaches every replica at commit (a wake-up, not the truth:
-- a reader compares with the row). An immediate trigger marks the transaction itself (a transaction-local
-- setting), so that a transaction reading rules after changing them neither trusts nor fills a cache.
-- version counts the changes (for people); stamp is a fresh random value at each bump, and it is what a cache is
-- keyed by: a stamp is never taken twice, even when a restored backup or a hand-made UPDATE sets the counter back.
create table rules_version (
    id      smallint primary key check (id = 1),
    version bigint   not null,
    stamp   text     not null
);
insert into rules_version (id, version, stamp) values (1, 1, md5(random()::text || clock_timestamp()::text));

create function rules_changed_mark() returns trigger language plpgsql as $$
begin
    perform set_config('spicegate.rules_changed', 'on', true);
    return null;
end
$$;

create function rules_version_bump() returns trigger language plpgsql as $$
declare
    s text;
begin
    perform set_config('spicegate.rules_changed', 'on', true);
    if coalesce(current_setting('spicegate.rules_bumped', true), '') = 'on' then
        return null;
    end if;
    update rules_version set version = version + 1, stamp = md5(random()::text || clock_timestamp()::text || txid_current())
        where id = 1 returning stamp into s;
    perform pg_notify('spicegate_rules', s);
    perform set_config('spicegate.rules_bumped', 'on', true);
    return null;
end
$$;

do $$
declare
    t text;
begin
    -- every change of these tables counts
    foreach t in array array['access_rule', 'rule_window', 'rule_approver', 'group_member'] loop
        execute format('create trigger %I after insert or update or delete on %I '
                       'for each row execute function rules_changed_mark()', t || '_rules_mark', t);
        execute format('create constraint trigger %I after insert or update or delete on %I '
                       'deferrable initially deferred for each row execute function rules_version_bump()',
                       t || '_rules_bump', t);
    end loop;
    -- a new console, user or group is in no rule yet: deletes and the columns a decision or a card reads count
    foreach t in array array['console', 'app_user', 'user_group'] loop
        execute format('create trigger %I after delete on %I '
                       'for each row execute function rules_changed_mark()', t || '_rules_mark_delete', t);
        execute format('create constraint trigger %I after delete on %I '
                       'deferrable initially deferred for each row execute function rules_version_bump()',
                       t || '_rules_bump_delete', t);
    end loop;
    -- truncating any of them (tests, an operator) counts too
    foreach t in array array['access_rule', 'rule_window', 'rule_approver', 'group_member', 'console', 'app_user',
                             'user_group'] loop
        execute format('create trigger %I after truncate on %I '
                       'for each statement execute function rules_version_bump()', t || '_rules_truncate', t);
    end loop;
end
$$;

create trigger console_rules_mark_update after update on console for each row
    when (old.name is distinct from new.name or old.description is distinct from new.description)
    execute function rules_changed_mark();
create constraint trigger console_rules_bump_update after update on console
    deferrable initially deferred for each row
    when (old.name is distinct from new.name or old.description is distinct from new.description)
    execute function rules_version_bump();

create trigger app_user_rules_mark_update after update on app_user for each row
    when (old.username is distinct from new.username or old.active is distinct from new.active)
    execute function rules_changed_mark();
create constraint trigger app_user_rules_bump_update after update on app_user
    deferrable initially deferred for each row
    when (old.username is distinct from new.username or old.active is distinct from new.active)
    execute function rules_version_bump();

create trigger user_group_rules_mark_update after update on user_group for each row
    when (old.name is distinct from new.name)
    execute function rules_changed_mark();
create constraint trigger user_group_rules_bump_update after update on user_group
    deferrable initially deferred for each row
    when (old.name is distinct from new.name)
    execute function rules_version_bump();
