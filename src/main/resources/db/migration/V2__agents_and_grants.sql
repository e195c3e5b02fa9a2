-- Workstation agents: enrollment, secret, grant version, what the agent last reported.
alter table workstation
    add column enrollment_token_hash  varchar(64) unique,
    add column enrollment_expires_at  timestamptz,
    add column secret_hash            varchar(64) unique,
    add column enrolled_at            timestamptz,
    add column agent_hostname         varchar(255),
    add column grant_version          bigint      not null default 1,
    add column acked_version          bigint,
    add column last_seen_at           timestamptz,
    add column agent_version          varchar(64),
    add column strict_mode            boolean     not null default false,
    add column remote_viewer          varchar(200),
    add column drift                  varchar(500);

-- The firewall side of a console session: when the workstation's agent applied and removed its rule.
alter table console_session
    add column grant_applied_at  timestamptz,
    add column grant_removed_at  timestamptz,
    add column firewall_error    varchar(500);
create index console_session_workstation_live on console_session (workstation_id) where state = 'ACTIVE';
create index console_session_grant_open on console_session (workstation_id)
    where grant_applied_at is not null and grant_removed_at is null;
