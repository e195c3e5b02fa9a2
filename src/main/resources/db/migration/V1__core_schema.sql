-- Spicegate core schema: people, consoles, workstations, access rules, console sessions, login sessions, audit.

create table app_user (
    id              bigint generated always as identity primary key,
    username        varchar(64)  not null unique,
    password_hash   varchar(100),
    display_name    varchar(200) not null,
    email           varchar(320),
    unix_username   varchar(32)  not null,
    is_approver     boolean      not null default false,
    is_admin        boolean      not null default false,
    active          boolean      not null default true,
    created_at      timestamptz  not null
);

create table user_group (
    id      bigint generated always as identity primary key,
    name    varchar(64) not null unique
);

create table group_member (
    group_id bigint not null references user_group (id) on delete cascade,
    user_id  bigint not null references app_user (id) on delete cascade,
    primary key (group_id, user_id)
);
create index group_member_user on group_member (user_id);

create table kvm_host (
    id       bigint generated always as identity primary key,
    name     varchar(64)  not null unique,
    address  varchar(255) not null,
    ca_pem   text
);

create table console (
    id            bigint generated always as identity primary key,
    name          varchar(64)  not null unique,
    host_id       bigint       not null references kvm_host (id),
    tls_port      integer check (tls_port between 1 and 65535),
    port          integer check (port between 1 and 65535),
    host_subject  varchar(500),
    password      varchar(200),
    description   varchar(500),
    constraint console_has_a_port check (tls_port is not null or port is not null)
);

create table workstation (
    id       bigint generated always as identity primary key,
    name     varchar(64) not null unique,
    active   boolean     not null default true
);

create table workstation_address (
    workstation_id bigint      not null references workstation (id) on delete cascade,
    cidr           varchar(64) not null,
    primary key (workstation_id, cidr)
);

create table access_rule (
    id                 bigint generated always as identity primary key,
    console_id         bigint       not null references console (id) on delete cascade,
    subject_user_id    bigint references app_user (id) on delete cascade,
    subject_group_id   bigint references user_group (id) on delete cascade,
    effect             varchar(5)   not null check (effect in ('ALLOW', 'DENY')),
    zone               varchar(64)  not null,
    approver_group_id  bigint references user_group (id) on delete set null,
    max_minutes        integer check (max_minutes > 0),
    valid_from         timestamptz,
    valid_until        timestamptz,
    constraint rule_has_one_subject check ((subject_user_id is null) <> (subject_group_id is null)),
    constraint rule_validity_ordered check (valid_from is null or valid_until is null or valid_from < valid_until)
);
create index access_rule_console on access_rule (console_id);
create index access_rule_user on access_rule (subject_user_id);
create index access_rule_group on access_rule (subject_group_id);

-- days: ISO day numbers 1 (Monday) .. 7 (Sunday), comma separated, e.g. '1,2,3,4,5'
create table rule_window (
    rule_id    bigint      not null references access_rule (id) on delete cascade,
    position   integer     not null,
    days       varchar(20) not null,
    from_time  time        not null,
    to_time    time        not null,
    primary key (rule_id, position)
);

create table rule_approver (
    rule_id bigint not null references access_rule (id) on delete cascade,
    user_id bigint not null references app_user (id) on delete cascade,
    primary key (rule_id, user_id)
);

-- A console session: user + console + workstation + [starts_at, ends_at). Names are copied so the
-- session log survives deletes.
create table console_session (
    id                uuid         primary key,
    user_id           bigint references app_user (id) on delete set null,
    console_id        bigint references console (id) on delete set null,
    workstation_id    bigint references workstation (id) on delete set null,
    username          varchar(64)  not null,
    unix_username     varchar(32)  not null,
    console_name      varchar(64)  not null,
    workstation_name  varchar(64)  not null,
    source_address    varchar(64)  not null,
    starts_at         timestamptz  not null,
    ends_at           timestamptz  not null,
    state             varchar(8)   not null check (state in ('ACTIVE', 'ENDED', 'EXPIRED', 'REVOKED')),
    ended_at          timestamptz,
    ended_by          varchar(64),
    end_reason        varchar(500),
    approved_request_id bigint,
    vv_nonce          varchar(64)  not null,
    vv_fetched_at     timestamptz,
    constraint session_interval check (starts_at < ends_at),
    constraint session_end_recorded check ((state = 'ACTIVE') = (ended_at is null))
);
-- One ACTIVE session per user, console and workstation.
create unique index console_session_one_active
    on console_session (user_id, console_id, workstation_id) where state = 'ACTIVE';
create index console_session_active_console on console_session (console_id) where state = 'ACTIVE';
create index console_session_active_ends on console_session (ends_at) where state = 'ACTIVE';
create index console_session_user on console_session (user_id, starts_at desc);

-- Terminal states are final: ENDED, EXPIRED and REVOKED rows can no longer change state or times.
create function console_session_guard() returns trigger language plpgsql as $$
begin
    if old.state <> 'ACTIVE' and (new.state <> old.state or new.ends_at <> old.ends_at
                                  or new.ended_at is distinct from old.ended_at) then
        raise exception 'console session % is % and cannot change', old.id, old.state
            using errcode = 'check_violation';
    end if;
    return new;
end $$;
create trigger console_session_guard before update on console_session
    for each row execute function console_session_guard();

-- Login sessions live on the server: the cookie holds a random token whose SHA-256 is the key.
create table login_session (
    token_hash    varchar(64)  primary key,
    user_id       bigint       not null references app_user (id) on delete cascade,
    csrf_token    varchar(64)  not null,
    created_at    timestamptz  not null,
    last_seen_at  timestamptz  not null,
    expires_at    timestamptz  not null
);
create index login_session_user on login_session (user_id);

create table login_failure (
    id        bigint generated always as identity primary key,
    username  varchar(64)  not null,
    at        timestamptz  not null
);
create index login_failure_user_at on login_failure (username, at);

-- Append-only, hash-chained audit log.
create table audit_event (
    id           bigint generated always as identity primary key,
    at           timestamptz  not null,
    actor        varchar(64),
    action       varchar(40)  not null,
    username     varchar(64),
    console      varchar(64),
    workstation  varchar(64),
    session_id   uuid,
    source       varchar(64),
    detail       text,
    prev_hash    varchar(64)  not null,
    hash         varchar(64)  not null unique
);
create index audit_event_at on audit_event (at, id);
create index audit_event_user on audit_event (username, id);
create index audit_event_console on audit_event (console, id);

create function audit_event_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit log is append-only' using errcode = 'insufficient_privilege';
end $$;
create trigger audit_event_no_update before update or delete on audit_event
    for each row execute function audit_event_append_only();
