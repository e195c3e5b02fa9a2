-- The zone of the rule that allowed a session (issue 16): its end is shown in that zone in the launch file's title,
-- on the session pages and in refusals of Extend. Null for sessions opened before: they fall back to the display zone.
alter table console_session add column zone text;
