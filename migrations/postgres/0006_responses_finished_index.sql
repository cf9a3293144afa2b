-- Replay reads a form's most recently finished responses.
CREATE INDEX responses_form_finished ON responses (form_id, finished_at);
