//! A pool as typed on its page, the buttons that change it (move, remove,
//! add a member) and checking it against the people who exist.

use super::Person;
use crate::app::FieldError;
use crate::engine::{Pool, PoolMember, Strategy};

/// The strategies as stored, with what they mean.
pub const STRATEGIES: [(&str, &str); 3] = [
    ("round_robin", "Round robin: each member in turn"),
    ("weighted_round_robin", "Weighted round robin: by each member's weight"),
    ("least_loaded", "Least loaded: the member with the fewest open leads"),
];
const MAX_NAME_CHARS: usize = 64;
const MAX_WEIGHT: u32 = 1000;

/// A pool as typed on its page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolForm {
    pub name: String,
    pub strategy: String,
    /// User id, or empty for none.
    pub overflow: String,
    /// (user id, weight as typed), in order.
    pub members: Vec<(String, String)>,
}

/// A button on the pool page; each one saves the pool with its change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolAction {
    Save,
    Up(usize),
    Down(usize),
    Remove(usize),
    Add { rep_id: String, weight: String },
}

impl PoolForm {
    pub fn from_pool(pool: &Pool) -> Self {
        PoolForm {
            name: pool.name.clone(),
            strategy: strategy_name(pool.strategy).to_owned(),
            overflow: pool.overflow_rep.clone().unwrap_or_default(),
            members: pool.members.iter().map(|m| (m.rep_id.clone(), m.weight.to_string())).collect(),
        }
    }

    /// Applies a button's change to the typed pool.
    pub fn apply(&mut self, action: &PoolAction) -> Result<(), FieldError> {
        let count = self.members.len();
        match action {
            PoolAction::Save => {}
            PoolAction::Up(i) if (1..count).contains(i) => self.members.swap(*i, i - 1),
            PoolAction::Down(i) if i + 1 < count => self.members.swap(*i, i + 1),
            PoolAction::Remove(i) if *i < count => {
                self.members.remove(*i);
            }
            PoolAction::Add { rep_id, .. } if rep_id.trim().is_empty() => {
                return Err(FieldError { field: "add".into(), message: "Choose a person to add.".into() });
            }
            PoolAction::Add { rep_id, weight } => {
                let weight = if weight.trim().is_empty() { "1".to_owned() } else { weight.clone() };
                self.members.push((rep_id.trim().to_owned(), weight));
            }
            PoolAction::Up(_) | PoolAction::Down(_) | PoolAction::Remove(_) => {}
        }
        Ok(())
    }

    /// The pool, checked against the people who exist.
    pub(super) fn parse(&self, people: &[Person]) -> Result<Pool, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            fail("name", format!("Give the pool a name of 1 to {MAX_NAME_CHARS} characters."));
        }
        let strategy = parse_strategy(&self.strategy);
        if strategy.is_none() {
            fail("strategy", "Choose a strategy.".into());
        }
        let known = |id: &str| people.iter().find(|p| p.id.to_string() == id);
        let overflow = self.overflow.trim();
        if !overflow.is_empty() && known(overflow).is_none() {
            fail("overflow", "Choose the overflow person from the list.".into());
        }
        let mut members: Vec<PoolMember> = Vec::new();
        for (rep_id, weight) in &self.members {
            let Some(person) = known(rep_id) else {
                fail("members", "A member is not a known person; remove them and add again.".into());
                continue;
            };
            if members.iter().any(|m| m.rep_id == *rep_id) {
                fail("members", format!("{} is in the pool already.", person.name));
                continue;
            }
            match weight.trim().parse::<u32>() {
                Ok(weight) if weight <= MAX_WEIGHT => {
                    members.push(PoolMember { rep_id: rep_id.clone(), weight, assigned_count: 0 })
                }
                _ => fail("members", format!("{}: the weight is a whole number from 0 to {MAX_WEIGHT}.", person.name)),
            }
        }
        match strategy {
            Some(strategy) if errors.is_empty() => Ok(Pool {
                name: name.to_owned(),
                strategy,
                members,
                overflow_rep: (!overflow.is_empty()).then(|| overflow.to_owned()),
                last_assigned: None,
            }),
            _ => Err(errors),
        }
    }
}

fn strategy_name(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::RoundRobin => "round_robin",
        Strategy::WeightedRoundRobin => "weighted_round_robin",
        Strategy::LeastLoaded => "least_loaded",
    }
}

fn parse_strategy(name: &str) -> Option<Strategy> {
    match name {
        "round_robin" => Some(Strategy::RoundRobin),
        "weighted_round_robin" => Some(Strategy::WeightedRoundRobin),
        "least_loaded" => Some(Strategy::LeastLoaded),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn form() -> PoolForm {
        PoolForm {
            name: "sdr".into(),
            strategy: "least_loaded".into(),
            overflow: String::new(),
            members: vec![("a".into(), "1".into()), ("b".into(), "2".into()), ("c".into(), "1".into())],
        }
    }

    #[test]
    fn buttons_move_remove_and_add_members() {
        let mut pool = form();
        pool.apply(&PoolAction::Up(1)).unwrap();
        assert_eq!(pool.members[0].0, "b");
        pool.apply(&PoolAction::Down(1)).unwrap();
        assert_eq!(pool.members.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["b", "c", "a"]);
        pool.apply(&PoolAction::Up(0)).unwrap();
        pool.apply(&PoolAction::Down(2)).unwrap();
        assert_eq!(pool.members[0].0, "b", "moving past either end changes nothing");
        pool.apply(&PoolAction::Remove(0)).unwrap();
        pool.apply(&PoolAction::Add { rep_id: "d".into(), weight: String::new() }).unwrap();
        assert_eq!(pool.members.last().unwrap(), &("d".to_owned(), "1".to_owned()));
        let none = pool.apply(&PoolAction::Add { rep_id: " ".into(), weight: "1".into() }).unwrap_err();
        assert_eq!(none.field, "add");
    }

    #[test]
    fn unknown_people_bad_weights_and_repeats_are_refused() {
        let id = Uuid::now_v7();
        let person = Person { id, name: "Ana".into(), email: "a@x".into(), role: "rep".into(), active: true };
        let mut pool = form();
        pool.members = vec![(id.to_string(), "1".into()), (id.to_string(), "1".into())];
        let errors = pool.parse(std::slice::from_ref(&person)).unwrap_err();
        assert_eq!(errors[0].message, "Ana is in the pool already.");
        pool.members = vec![(id.to_string(), "heavy".into())];
        pool.overflow = "nobody".into();
        pool.strategy = "random".into();
        let fields: Vec<String> = pool.parse(&[person]).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["strategy", "overflow", "members"]);
    }
}
