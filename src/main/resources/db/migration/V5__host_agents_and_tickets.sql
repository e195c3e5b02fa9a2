-- Host agents (one per KVM host, optional): enrollment, secret, and a ticket version that bumps whenever the
-- host's tickets, its consoles' ports or the set of enrolled workstations change.
alter table kvm_host
    add column enrollment_token_hash  varchar(64) unique,
    add column enrollment_expires_at  timestamptz,
    add column secret_hash            varchar(64) unique,
    add column enrolled_at            timestamptz,
    add column agent_hostname         varchar(255),
    add column ticket_version         bigint      not null default 1,
    add column acked_version          bigint,
    add column last_seen_at           timestamptz;

-- The one-time SPICE password of a session's latest (re-)open where the console's host has an agent. The
-- password is kept only until the launch file carrying it is served (or the session ends, or it lapses).
alter table console_session
    add column ticket_password    varchar(64),
    add column ticket_version     bigint,
    add column ticket_issued_at   timestamptz,
    add column ticket_applied_at  timestamptz,
    add column ticket_error       varchar(500);
create index console_session_ticket_open on console_session (console_id)
    where ticket_password is not null and ticket_applied_at is null;
create index console_session_ticket_kept on console_session (ticket_issued_at)
    where ticket_password is not null;
