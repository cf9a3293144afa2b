//! The routes the routers under `src/web` register, read from their
//! source (axum cannot list a router's routes), for the route matrix's
//! check that every route has a row. Paths must be string literals.

use std::collections::BTreeSet;

/// A route as the table and the routers both write it: no query, and
/// every `{name}` as `{}`.
pub fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => inside = true,
            '}' => {
                inside = false;
                out.push_str("{}");
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every (method, path) the routers under `src/web` register, read from
/// their source: axum cannot list a router's routes. The API (`src/web/api`)
/// is left out: its routes come from its OpenAPI document, and a test there
/// keeps anything else out.
pub fn registered_routes() -> BTreeSet<(String, String)> {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut files = Vec::new();
    let mut dirs = vec![web.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && path != web.join("api") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut routes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        let code = code.join("\n");
        for unreadable in [".nest(", ".route_service("] {
            assert!(!code.contains(unreadable), "{}: {unreadable} is not read by the route matrix", file.display());
        }
        for (at, _) in code.match_indices(".route(") {
            let (path, methods) = route_call(&code[at + ".route(".len()..], &file);
            for method in methods {
                assert!(["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()), "{path}: {method}?");
                routes.insert((method, shape(&path)));
            }
        }
        for (at, _) in code.match_indices(".nest_service(") {
            let (path, _) = route_call(&code[at + ".nest_service(".len()..], &file);
            routes.insert(("ANY".to_owned(), shape(&path)));
        }
    }
    routes
}

/// The path literal and the method routers' names (`get`, `post`…) of
/// `.route("…", get(…).post(…))`, from the text after its parenthesis.
fn route_call(rest: &str, file: &std::path::Path) -> (String, Vec<String>) {
    let (mut depth, mut in_string, mut end) = (1, false, rest.len());
    let mut previous = ' ';
    for (i, c) in rest.char_indices() {
        match c {
            '"' if previous != '\\' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            _ => {}
        }
        previous = c;
    }
    let args = &rest[..end];
    let (path, methods) = args.split_once(',').unwrap_or((args, ""));
    let path = path.trim();
    let literal = path.strip_prefix('"').and_then(|p| p.strip_suffix('"'));
    let path = literal.unwrap_or_else(|| panic!("{}: write the route {path} as a literal", file.display()));
    let mut found = Vec::new();
    let (mut depth, mut word) = (0, String::new());
    for c in methods.chars() {
        match c {
            '(' => {
                if depth == 0 && !word.is_empty() {
                    found.push(word.to_uppercase());
                }
                depth += 1;
                word.clear();
            }
            ')' => {
                depth -= 1;
                word.clear();
            }
            c if c.is_alphanumeric() || c == '_' => word.push(c),
            _ => word.clear(),
        }
    }
    (path.to_owned(), found)
}
