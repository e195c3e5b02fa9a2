-- Identity sources (#8): where an account and a group come from. Directory-sourced groups ('oidc', 'ldap') have
-- their memberships set by the directory at each login (and, for LDAP, at decisions); 'local' ones only by admins.
alter table app_user
    add column source            varchar(8)  not null default 'local' check (source in ('local', 'oidc', 'ldap')),
    add column groups_synced_at  timestamptz;

alter table user_group
    add column source  varchar(8)  not null default 'local' check (source in ('local', 'oidc', 'ldap'));
