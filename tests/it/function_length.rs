//! No function in `src/` is longer than [`MAX_LINES`] lines: a longer one is split by phase
//! or by resource type before it lands (issue 14). A function's length runs from the line of
//! its `fn` to the line of its closing brace, closures and nested items included.
//!
//! The source is read with a small lexer rather than a parser (no parser is a dependency):
//! comments, string, byte-string, raw-string and character literals are skipped, so a brace
//! inside one is not counted, and a lifetime (`'a`) is told from a character (`'a'`).

use std::path::{Path, PathBuf};

/// The longest a function in `src/` may be, in lines.
const MAX_LINES: usize = 150;

/// What the lexer hands on: braces and the `fn` keyword, each with its line, and the
/// `;` that ends a function without a body (a trait's declaration).
#[derive(Debug, PartialEq)]
enum Token {
    Open,
    Close,
    Semicolon,
    Fn,
}

/// The braces, semicolons and `fn` keywords of `text` outside comments and literals.
fn tokens(text: &str) -> Vec<(Token, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Skips to the end of a quoted literal opened just before `i`; handles `\` escapes.
    let quoted = |mut i: usize, line: &mut usize, quote: u8| {
        while i < b.len() && b[i] != quote {
            if b[i] == b'\\' {
                i += 1;
            }
            if i < b.len() && b[i] == b'\n' {
                *line += 1;
            }
            i += 1;
        }
        i + 1
    };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let word_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if next == Some(b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if next == Some(b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if b[i] == b'\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            // Raw strings: `r"…"`, `r#"…"#`, `br#"…"#`.
            b'r' | b'b' if !word_before && raw_string_at(&b[i..]).is_some() => {
                let (open, hashes) = raw_string_at(&b[i..]).expect("checked");
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                i += open;
                while i < b.len() && !b[i..].starts_with(&close) {
                    if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += close.len();
            }
            b'"' => i = quoted(i + 1, &mut line, b'"'),
            b'\'' => {
                // A character literal closes within a few bytes (`'x'`, `'\n'`, `'\u{1F600}'`,
                // a multi-byte character); a lifetime or label does not close at all.
                let close = if next == Some(b'\\') {
                    b.get(i + 3..)
                        .and_then(|rest| rest.iter().position(|&x| x == b'\''))
                        .map(|p| i + 3 + p)
                } else {
                    let width = std::str::from_utf8(&b[i + 1..(i + 5).min(b.len())])
                        .or_else(|e| std::str::from_utf8(&b[i + 1..i + 1 + e.valid_up_to()]))
                        .ok()
                        .and_then(|s| s.chars().next())
                        .map_or(1, char::len_utf8);
                    (b.get(i + 1 + width) == Some(&b'\'')).then_some(i + 1 + width)
                };
                i = close.map_or(i + 1, |c| c + 1);
            }
            b'{' => {
                out.push((Token::Open, line));
                i += 1;
            }
            b'}' => {
                out.push((Token::Close, line));
                i += 1;
            }
            b';' => {
                out.push((Token::Semicolon, line));
                i += 1;
            }
            b'f' if !word_before
                && next == Some(b'n')
                && !b
                    .get(i + 2)
                    .is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_') =>
            {
                out.push((Token::Fn, line));
                i += 2;
            }
            _ => i += 1,
        }
    }
    out
}

/// At a raw string's opening (`r"`, `r#"`, `br##"`…): the length of the opening and the
/// number of `#`.
fn raw_string_at(b: &[u8]) -> Option<(usize, usize)> {
    let start = if b.starts_with(b"br") {
        2
    } else if b.starts_with(b"r") {
        1
    } else {
        return None;
    };
    let hashes = b[start..].iter().take_while(|&&x| x == b'#').count();
    (b.get(start + hashes) == Some(&b'"')).then_some((start + hashes + 1, hashes))
}

/// Every function of `text` with a body: (line of `fn`, lines long).
fn functions(text: &str) -> Vec<(usize, usize)> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    for (at, (token, line)) in tokens.iter().enumerate() {
        if *token != Token::Fn {
            continue;
        }
        // The body opens at the first brace after the signature (`impl Fn()` is spelt
        // with a capital and is not matched).
        let Some(open) = tokens[at + 1..]
            .iter()
            .position(|(t, _)| *t != Token::Fn)
            .map(|p| at + 1 + p)
        else {
            continue;
        };
        // A `;` or a closing brace first: a declaration, or a `fn(…)` pointer type (a
        // struct's field, a `let`'s type).
        if tokens[open].0 != Token::Open {
            continue;
        }
        let mut depth = 0usize;
        for (t, end) in &tokens[open..] {
            match t {
                Token::Open => depth += 1,
                Token::Close => {
                    depth -= 1;
                    if depth == 0 {
                        found.push((*line, end - line + 1));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src reads") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_function_in_src_is_longer_than_the_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut long = Vec::new();
    let mut counted = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("source reads");
        for (line, length) in functions(&text) {
            counted += 1;
            if length > MAX_LINES {
                let name = text.lines().nth(line - 1).unwrap_or("").trim().to_string();
                long.push(format!(
                    "{}:{line}: {length} lines: {name}",
                    path.strip_prefix(root).unwrap_or(path).display()
                ));
            }
        }
    }
    assert!(counted > 1000, "the scan found only {counted} functions");
    assert!(
        long.is_empty(),
        "functions over {MAX_LINES} lines (split them by phase or resource type): {long:#?}"
    );
}

/// The scan measures what it should: braces in literals and comments are not counted, a
/// lifetime is not a character, a declaration without a body is not a function.
#[test]
fn the_scan_skips_literals_comments_and_lifetimes() {
    let source = r##"
fn one<'a>(x: &'a str) -> char {
    let _ = "}}}"; // }
    let _ = r#"{ "# ;
    /* { /* nested } */ */
    let _ = b'{';
    let _ = '\u{7D}';
    '}'
}
trait T {
    fn declared(&self);
}
fn two() {
    let f = |x: u8| { x };
}
"##;
    assert_eq!(functions(source), vec![(2, 8), (13, 3)]);
}
