-- The editor: who published each version and what changed, a history line
-- for every draft save, and test cases kept with each form.
ALTER TABLE form_versions ADD COLUMN published_by BLOB REFERENCES users (id);
ALTER TABLE form_versions ADD COLUMN changes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE form_versions ADD COLUMN restored_from INTEGER;

CREATE TABLE form_edits (
    id BLOB PRIMARY KEY NOT NULL,
    form_id BLOB NOT NULL REFERENCES forms (id),
    revision BIGINT NOT NULL,
    user_id BLOB REFERENCES users (id),
    summary TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX form_edits_form ON form_edits (form_id, revision);

CREATE TABLE form_tests (
    id BLOB PRIMARY KEY NOT NULL,
    form_id BLOB NOT NULL REFERENCES forms (id),
    name TEXT NOT NULL,
    answers TEXT NOT NULL,
    hidden TEXT NOT NULL,
    expected_outcome TEXT NOT NULL,
    expected_pool TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (form_id, name)
);

-- Responses and the form cache rely on a published version never changing.
CREATE TRIGGER form_versions_are_immutable BEFORE UPDATE ON form_versions
BEGIN
    SELECT RAISE(ABORT, 'published form versions are immutable');
END;

CREATE TRIGGER form_versions_are_kept BEFORE DELETE ON form_versions
BEGIN
    SELECT RAISE(ABORT, 'published form versions are immutable');
END;
