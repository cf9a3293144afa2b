-- The editor: who published each version and what changed, a history line
-- for every draft save, and test cases kept with each form.
ALTER TABLE form_versions ADD COLUMN published_by UUID REFERENCES users (id);
ALTER TABLE form_versions ADD COLUMN changes JSONB NOT NULL DEFAULT '[]';
ALTER TABLE form_versions ADD COLUMN restored_from INTEGER;

CREATE TABLE form_edits (
    id UUID PRIMARY KEY NOT NULL,
    form_id UUID NOT NULL REFERENCES forms (id),
    revision BIGINT NOT NULL,
    user_id UUID REFERENCES users (id),
    summary TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX form_edits_form ON form_edits (form_id, revision);

CREATE TABLE form_tests (
    id UUID PRIMARY KEY NOT NULL,
    form_id UUID NOT NULL REFERENCES forms (id),
    name TEXT NOT NULL,
    answers JSONB NOT NULL,
    hidden JSONB NOT NULL,
    expected_outcome TEXT NOT NULL,
    expected_pool TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (form_id, name)
);

-- Responses and the form cache rely on a published version never changing.
CREATE FUNCTION refuse_form_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published form versions are immutable';
END;
$$;

CREATE TRIGGER form_versions_are_immutable BEFORE UPDATE OR DELETE ON form_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_form_version_change();
