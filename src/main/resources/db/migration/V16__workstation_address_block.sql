-- Opens find the caller's workstation with one indexed query instead of loading every active workstation
-- (issue 17: with 1 000 workstations opens ran 2x slower). Each stored address gets its block as an inet value,
-- read exactly as the portal's Cidr reads the text: host bits masked, a bare address is a /32 or /128 (Cidr refuses
-- IPv4-mapped literals such as ::ffff:10.0.0.5, so none is stored).
-- The column is generated, so it can never disagree with the text, however a row was written.
create function workstation_block(address text) returns inet
    language plpgsql immutable strict
as $$
declare
    t      text := btrim(address);
    a      inet := split_part(t, '/', 1)::inet;
    prefix int;
begin
    prefix := case when position('/' in t) > 0 then split_part(t, '/', 2)::int
                   when family(a) = 4 then 32 else 128 end;
    return network(set_masklen(a, prefix))::inet;
end
$$;

alter table workstation_address
    add column block inet generated always as (workstation_block(cidr)) stored;

-- GiST over inet_ops answers "which blocks hold this address" (>>=) and "which overlap loopback" (&&)
create index workstation_address_block on workstation_address using gist (block inet_ops);
