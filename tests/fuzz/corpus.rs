//! The corpus: files in `tests/fuzz_corpus/`, read once.

use std::path::PathBuf;
use std::sync::OnceLock;

/// One corpus file: its name and its bytes (not always UTF-8).
pub struct Entry {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn dir(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_corpus").join(kind)
}

fn read(kind: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = std::fs::read_dir(dir(kind))
        .unwrap_or_else(|e| panic!("tests/fuzz_corpus/{kind}: {e}"))
        .map(|e| e.unwrap().path())
        .map(|path| Entry {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            bytes: std::fs::read(&path).unwrap(),
        })
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!entries.is_empty(), "the {kind} corpus is empty");
    entries
}

/// Definition files: `ok-*` must parse and lint without errors, `err-*`
/// must be refused (by the parser or by lint) with a message.
pub fn definitions() -> &'static [Entry] {
    static CORPUS: OnceLock<Vec<Entry>> = OnceLock::new();
    CORPUS.get_or_init(|| read("definitions"))
}

/// Raw answers, one a line, tried on every question kind.
pub fn answer_lines() -> &'static [String] {
    static LINES: OnceLock<Vec<String>> = OnceLock::new();
    LINES.get_or_init(|| {
        read("answers")
            .iter()
            .flat_map(|e| String::from_utf8_lossy(&e.bytes).lines().map(str::to_string).collect::<Vec<_>>())
            .collect()
    })
}
