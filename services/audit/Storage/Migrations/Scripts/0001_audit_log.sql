-- The audit trail: one row per event id, chained per tenant (chain = tenant id, or the nil id for events without
-- a tenant). seq orders the whole trail for paging; position orders one chain.
CREATE TABLE audit_log (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    chain uuid NOT NULL,
    position bigint NOT NULL,
    prev_hash bytea NOT NULL,
    row_hash bytea NOT NULL,
    type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_user_id uuid NULL,
    actor_key_id uuid NULL,
    actor_key_prefix text NULL,
    subject_user_id uuid NULL,
    subject_key_id uuid NULL,
    client_address text NULL,
    request_id text NULL,
    -- json, not jsonb: it keeps the text as written and accepts every string jsonb refuses (\u0000).
    details json NOT NULL,
    tenant_id uuid NULL,
    actor text NULL,
    subject text NULL,
    source text NULL,
    trace_id text NULL,
    CONSTRAINT audit_log_chain_position UNIQUE (chain, position));

CREATE INDEX audit_log_by_chain ON audit_log (chain, seq);
CREATE INDEX audit_log_by_type ON audit_log (type, seq);
CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_by_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_by_time ON audit_log (occurred_at);

-- Per chain: the newest event ever appended (locked by every append) and the last one retention removed.
CREATE TABLE audit_chains (
    chain uuid PRIMARY KEY,
    head_position bigint NOT NULL,
    head_hash bytea NOT NULL,
    anchor_position bigint NOT NULL DEFAULT 0,
    anchor_hash bytea NULL);

CREATE TABLE audit_settings (
    name text PRIMARY KEY,
    value bytea NOT NULL);

-- Rows are removed by retention only, and never changed: refuse an UPDATE outright, so that a change needs a
-- deliberate step (disabling the trigger) besides, and then still shows in the chain.
CREATE FUNCTION audit_log_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_update();
