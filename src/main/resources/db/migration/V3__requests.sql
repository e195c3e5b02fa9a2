-- Off-hours requests: a user asks for a one-off window on a console, an approver of his rule decides.
-- PENDING -> APPROVED | DENIED | CANCELLED | EXPIRED; the four terminal states are final.
-- Names and the zone are copied so a request reads the same after users, consoles or rules change.
create table access_request (
    id              bigint generated always as identity primary key,
    user_id         bigint references app_user (id) on delete set null,
    console_id      bigint references console (id) on delete set null,
    username        varchar(64)  not null,
    console_name    varchar(64)  not null,
    -- the zone of the rule that made the console NEEDS_APPROVAL: times are shown in it
    zone            varchar(64)  not null,
    wanted_start    timestamptz  not null,
    minutes         integer      not null check (minutes between 1 and 10080),
    reason          varchar(500) not null check (length(btrim(reason)) > 0),
    state           varchar(9)   not null
                    check (state in ('PENDING', 'APPROVED', 'DENIED', 'CANCELLED', 'EXPIRED')),
    created_at      timestamptz  not null,
    -- a request nobody decided becomes EXPIRED at this instant
    expires_at      timestamptz  not null,
    -- who closed it: the approver, the requester (CANCELLED) or 'system' (EXPIRED), and when
    decided_by      varchar(64),
    decided_at      timestamptz,
    note            varchar(500),
    -- APPROVED only: the one-off window [approved_start, approved_end)
    approved_start  timestamptz,
    approved_end    timestamptz,
    -- when the requester saw the outcome (clears "My requests (n)")
    seen_at         timestamptz,
    constraint request_expiry_after_creation check (created_at < expires_at),
    constraint request_closed_when_terminal check ((state = 'PENDING') = (decided_at is null)),
    constraint request_closed_by_someone check ((state = 'PENDING') = (decided_by is null)),
    constraint request_window_when_approved
        check ((state = 'APPROVED') = (approved_start is not null and approved_end is not null)),
    constraint request_window_ordered check (approved_start is null or approved_start < approved_end),
    -- an approved window is never counted from before the wanted start
    constraint request_window_not_early check (approved_start is null or approved_start >= wanted_start),
    constraint request_window_length
        check (approved_start is null or approved_end = approved_start + make_interval(mins => minutes)),
    constraint request_denial_says_why check (state <> 'DENIED' or length(btrim(coalesce(note, ''))) > 0),
    -- PostgreSQL text refuses U+0000 anyway; other control characters (except tab and newline) are kept out
    constraint request_reason_printable check (reason !~ '[\x01-\x08\x0b-\x1f\x7f]'),
    constraint request_note_printable check (note is null or note !~ '[\x01-\x08\x0b-\x1f\x7f]')
);

-- One pending request per user and console at a time.
create unique index access_request_one_pending on access_request (user_id, console_id) where state = 'PENDING';
create index access_request_user on access_request (user_id, id desc);
create index access_request_pending_expiry on access_request (expires_at) where state = 'PENDING';
create index access_request_pending_console on access_request (console_id) where state = 'PENDING';
-- the access decision reads a user's approved windows that have not ended yet
create index access_request_approved on access_request (user_id, approved_end) where state = 'APPROVED';
create index access_request_decided_by on access_request (decided_by, decided_at desc) where state <> 'PENDING';

-- What was asked never changes; a terminal row keeps its outcome for good. Only seen_at, and the
-- user/console references (set null when those are deleted), may still change on a terminal row.
create function access_request_guard() returns trigger language plpgsql as $$
begin
    if new.username <> old.username or new.console_name <> old.console_name or new.zone <> old.zone
       or new.wanted_start <> old.wanted_start or new.minutes <> old.minutes or new.reason <> old.reason
       or new.created_at <> old.created_at or new.expires_at <> old.expires_at then
        raise exception 'access request % cannot change what was asked', old.id
            using errcode = 'check_violation';
    end if;
    if old.state <> 'PENDING' and (new.state <> old.state
                                   or new.decided_by is distinct from old.decided_by
                                   or new.decided_at is distinct from old.decided_at
                                   or new.note is distinct from old.note
                                   or new.approved_start is distinct from old.approved_start
                                   or new.approved_end is distinct from old.approved_end) then
        raise exception 'access request % is % and cannot change', old.id, old.state
            using errcode = 'check_violation';
    end if;
    return new;
end $$;
create trigger access_request_guard before update on access_request
    for each row execute function access_request_guard();

-- Sessions opened under an approved request point at it.
alter table console_session
    add constraint console_session_approved_request
        foreign key (approved_request_id) references access_request (id) on delete set null;
