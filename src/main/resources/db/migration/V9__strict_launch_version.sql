-- Strict workstations: the grant version that carries a session's current launch file (issue 13 point 3).
-- A re-open bumps it; the session is ready again only once the agent acked that version.
alter table console_session add column launch_version bigint;
