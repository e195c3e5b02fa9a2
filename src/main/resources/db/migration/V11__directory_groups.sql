-- Directory groups declared ahead (#14): a group an administrator creates with "fromDirectory": true has the source
-- 'directory'; its members, like those of the groups a directory login creates ('oidc', 'ldap'), come from the
-- directories by name. directory_clash records that a directory sent a group of this name while the group is local
-- (members set by hand), so that the admin pages can warn about it.
alter table user_group drop constraint if exists user_group_source_check;
alter table user_group
    alter column source type varchar(16),
    add constraint user_group_source_check check (source in ('local', 'oidc', 'ldap', 'directory')),
    add column directory_clash  varchar(8)  check (directory_clash in ('oidc', 'ldap'));
