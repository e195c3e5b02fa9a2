-- Personal API tokens (issue 18): a user's own bearer secrets for /api/v1, stored only as a SHA-256 hash.
-- Expiry is required; revocation is a time, never a deletion (the list shows what was revoked and when), and is final.
create table api_token (
    id            bigint generated always as identity primary key,
    user_id       bigint       not null references app_user (id) on delete cascade,
    name          varchar(64)  not null,
    token_hash    varchar(64)  not null unique,
    created_at    timestamptz  not null,
    expires_at    timestamptz  not null,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    revoked_by    varchar(64),
    constraint api_token_expires_after_creation check (expires_at > created_at)
);
create index api_token_user on api_token (user_id, id);

-- a revoked token stays revoked: its revocation time and who revoked it never change again
create function api_token_revocation_final() returns trigger language plpgsql as $$
begin
    if old.revoked_at is not null and (new.revoked_at is distinct from old.revoked_at
            or new.revoked_by is distinct from old.revoked_by or new.token_hash <> old.token_hash
            or new.expires_at <> old.expires_at) then
        raise exception 'a revoked API token stays revoked' using errcode = 'check_violation';
    end if;
    return new;
end $$;
create trigger api_token_revocation_final before update on api_token
    for each row execute function api_token_revocation_final();
