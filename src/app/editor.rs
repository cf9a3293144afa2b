//! One edit at a time to a draft: questions, scoring rules, named lists,
//! outcomes and form settings. Each checks what the lint cannot leave for
//! later (the ids that name things, references that a deletion would
//! break), applies the change and saves it with the draft's
//! compare-and-set. Renaming a question or an outcome also updates the
//! form's test cases, in the same transaction.

use uuid::Uuid;

use super::auth::CurrentUser;
use super::drafts::{Draft, begin_edit, edit_draft, finish_edit};
use super::{AppError, Context};
use crate::engine::{
    self, ChoiceOption, FormDefinition, FormSettings, Outcome, Question, QuestionKind, ScoringRule,
    is_valid_question_id,
};
use crate::store;

/// Which way to move an item in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

/// Where a draft edit applies: the form, who edits, and the revision the
/// person's page was made from.
#[derive(Clone, Copy)]
pub struct EditContext<'a> {
    pub ctx: &'a Context,
    pub user: &'a CurrentUser,
    pub form_id: Uuid,
    pub revision: i64,
}

impl EditContext<'_> {
    async fn apply(self, edit: impl FnOnce(&mut FormDefinition) -> Result<(), AppError>) -> Result<Draft, AppError> {
        edit_draft(self.ctx, self.user, self.form_id, self.revision, edit).await
    }
}

fn moved<T>(items: &mut [T], index: usize, direction: Move, what: &str) -> Result<(), AppError> {
    let target = match direction {
        Move::Up => index.checked_sub(1),
        Move::Down => Some(index + 1).filter(|&i| i < items.len()),
    };
    match target {
        Some(target) if index < items.len() => {
            items.swap(index, target);
            Ok(())
        }
        _ => Err(AppError::invalid(what, format!("This {what} cannot move further."))),
    }
}

fn check_new_question_id(def: &FormDefinition, id: &str) -> Result<(), AppError> {
    if !is_valid_question_id(id) {
        return Err(AppError::invalid("id", "Use lowercase letters, digits and _ for the id, like company_size."));
    }
    if def.questions.iter().any(|q| q.id == id) {
        return Err(AppError::invalid("id", format!("Another question already has the id {id}.")));
    }
    Ok(())
}

/// Adds a question at the end; choice questions start with two options.
pub async fn add_question(at: EditContext<'_>, id: &str, kind: QuestionKind, label: &str) -> Result<Draft, AppError> {
    let id = id.trim().to_owned();
    let label = if label.trim().is_empty() { "New question".to_owned() } else { label.trim().to_owned() };
    at.apply(|def| {
        check_new_question_id(def, &id)?;
        let options = if kind.is_choice() {
            (1..=2)
                .map(|n| ChoiceOption { value: format!("option_{n}"), label: format!("Option {n}"), fit: 0, intent: 0 })
                .collect()
        } else {
            Vec::new()
        };
        let question = Question {
            id,
            kind,
            label,
            help: None,
            required: false,
            maps_to: None,
            options,
            validation: Default::default(),
            next: Vec::new(),
        };
        def.questions.push(question);
        Ok(())
    })
    .await
}

/// Replaces the question `original_id`; a new id is followed everywhere
/// (branches, conditions and the test cases' answers).
pub async fn save_question(at: EditContext<'_>, original_id: &str, question: Question) -> Result<Draft, AppError> {
    let (mut tx, row) = begin_edit(at.ctx, at.user, at.form_id, at.revision).await?;
    let mut def = row.draft.0.clone();
    let position = def.questions.iter().position(|q| q.id == original_id).ok_or(AppError::NotFound)?;
    let new_id = question.id.clone();
    // Placed under its old id first, so the rename also reaches its own branches.
    def.questions[position] = Question { id: original_id.to_owned(), ..question };
    if new_id != original_id {
        check_new_question_id(&def, &new_id)?;
        engine::rename_question(&mut def, original_id, &new_id);
        for case in store::form_tests::list_cases(tx.conn(), at.form_id).await? {
            let mut test = case.to_case();
            if let Some(values) = test.answers.remove(original_id) {
                test.answers.insert(new_id.clone(), values);
                store::form_tests::upsert_case(tx.conn(), at.form_id, case.id, &test, at.ctx.clock.now()).await?;
            }
        }
    }
    let draft = finish_edit(at.ctx, &mut tx, at.user, &row, def).await?;
    tx.commit().await?;
    Ok(draft)
}

pub async fn move_question(at: EditContext<'_>, id: &str, direction: Move) -> Result<Draft, AppError> {
    at.apply(|def| {
        let index = def.questions.iter().position(|q| q.id == id).ok_or(AppError::NotFound)?;
        moved(&mut def.questions, index, direction, "question")
    })
    .await
}

/// Deletes a question nothing else refers to; otherwise says what does.
pub async fn delete_question(at: EditContext<'_>, id: &str) -> Result<Draft, AppError> {
    at.apply(|def| {
        let references = engine::question_references(def, id);
        if !references.is_empty() {
            let message = format!("Question {id} is still used: {}. Change those first.", references.join("; "));
            return Err(AppError::invalid("question", message));
        }
        let before = def.questions.len();
        def.questions.retain(|q| q.id != id);
        if def.questions.len() == before { Err(AppError::NotFound) } else { Ok(()) }
    })
    .await
}

/// Adds a scoring rule (`index: None`) or replaces the one at `index`.
pub async fn save_rule(at: EditContext<'_>, index: Option<usize>, rule: ScoringRule) -> Result<Draft, AppError> {
    at.apply(|def| match index {
        None => {
            def.scoring.push(rule);
            Ok(())
        }
        Some(index) => {
            *def.scoring.get_mut(index).ok_or(AppError::NotFound)? = rule;
            Ok(())
        }
    })
    .await
}

pub async fn move_rule(at: EditContext<'_>, index: usize, direction: Move) -> Result<Draft, AppError> {
    at.apply(|def| moved(&mut def.scoring, index, direction, "rule")).await
}

pub async fn delete_rule(at: EditContext<'_>, index: usize) -> Result<Draft, AppError> {
    at.apply(|def| {
        if index >= def.scoring.len() {
            return Err(AppError::NotFound);
        }
        def.scoring.remove(index);
        Ok(())
    })
    .await
}

/// Adds or changes a named list; a new name is followed by every condition.
pub async fn save_list(
    at: EditContext<'_>,
    original: Option<&str>,
    name: &str,
    entries: Vec<String>,
) -> Result<Draft, AppError> {
    let name = name.trim().to_owned();
    let mut cleaned: Vec<String> = Vec::new();
    for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if !cleaned.iter().any(|c| c.eq_ignore_ascii_case(entry)) {
            cleaned.push(entry.to_owned());
        }
    }
    at.apply(|def| {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(AppError::invalid("name", "Use lowercase letters, digits and _ for the list name."));
        }
        if original != Some(name.as_str()) && def.lists.contains_key(&name) {
            return Err(AppError::invalid("name", format!("There is already a list called {name}.")));
        }
        if let Some(original) = original.filter(|o| *o != name) {
            if !def.lists.contains_key(original) {
                return Err(AppError::NotFound);
            }
            engine::rename_list(def, original, &name);
        }
        def.lists.insert(name.clone(), cleaned);
        Ok(())
    })
    .await
}

/// Deletes a list no condition uses.
pub async fn delete_list(at: EditContext<'_>, name: &str) -> Result<Draft, AppError> {
    at.apply(|def| {
        let references = engine::list_references(def, name);
        if !references.is_empty() {
            let message = format!("The list {name} is still used by {}. Change those first.", references.join("; "));
            return Err(AppError::invalid("list", message));
        }
        def.lists.remove(name).map(|_| ()).ok_or(AppError::NotFound)
    })
    .await
}

/// Adds an outcome before the last one (the catch-all usually stays last)
/// or replaces the one at `index`; a new id is followed by the test cases.
pub async fn save_outcome(at: EditContext<'_>, index: Option<usize>, outcome: Outcome) -> Result<Draft, AppError> {
    let (mut tx, row) = begin_edit(at.ctx, at.user, at.form_id, at.revision).await?;
    let mut def = row.draft.0.clone();
    if !is_valid_question_id(&outcome.id) {
        return Err(AppError::invalid("id", "Use lowercase letters, digits and _ for the id, like tier1."));
    }
    let taken = def.outcomes.iter().enumerate().any(|(i, o)| o.id == outcome.id && Some(i) != index);
    if taken {
        return Err(AppError::invalid("id", format!("Another outcome already has the id {}.", outcome.id)));
    }
    match index {
        None => {
            let at_end = def.outcomes.len().saturating_sub(1);
            def.outcomes.insert(at_end, outcome);
        }
        Some(index) => {
            let slot = def.outcomes.get_mut(index).ok_or(AppError::NotFound)?;
            if slot.id != outcome.id {
                store::form_tests::update_expected_outcome(tx.conn(), at.form_id, &slot.id, &outcome.id).await?;
            }
            *slot = outcome;
        }
    }
    let draft = finish_edit(at.ctx, &mut tx, at.user, &row, def).await?;
    tx.commit().await?;
    Ok(draft)
}

pub async fn move_outcome(at: EditContext<'_>, index: usize, direction: Move) -> Result<Draft, AppError> {
    at.apply(|def| moved(&mut def.outcomes, index, direction, "outcome")).await
}

/// Deletes an outcome no test case expects.
pub async fn delete_outcome(at: EditContext<'_>, index: usize) -> Result<Draft, AppError> {
    let cases = super::form_tests::list_cases(at.ctx, at.form_id).await?;
    at.apply(|def| {
        let outcome = def.outcomes.get(index).ok_or(AppError::NotFound)?;
        let expecting: Vec<&str> =
            cases.iter().filter(|c| c.expected_outcome == outcome.id).map(|c| c.name.as_str()).collect();
        if !expecting.is_empty() {
            let message = format!(
                "The test cases {} expect outcome {}. Change or delete them first.",
                expecting.join(", "),
                outcome.id
            );
            return Err(AppError::invalid("outcome", message));
        }
        def.outcomes.remove(index);
        Ok(())
    })
    .await
}

/// The form's title, introduction and behaviour switches.
pub async fn save_settings(
    at: EditContext<'_>,
    title: &str,
    intro: Option<String>,
    settings: FormSettings,
) -> Result<Draft, AppError> {
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::invalid("title", "Give the form a title of 1 to 200 characters."));
    }
    let intro = intro.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty());
    at.apply(|def| {
        def.title = title;
        def.intro = intro;
        def.settings = settings;
        Ok(())
    })
    .await
}
