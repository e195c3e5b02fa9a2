-- A lockout slot is reserved before a password is checked (users/LoginAttempts). While the check runs the slot is
-- pending: it limits how many checks of one account run at once, but only a settled (wrong) one is a failure, so
-- parallel logins with the right password wait for a slot instead of being told the account is locked.
alter table login_failure add column pending boolean not null default false;
