//! Text from the evidence made safe for where it is shown.
//!
//! ARNs, tag values, profile names and messages come from accounts, files and users: a
//! control character in one makes an XML document not well-formed, and an escape
//! sequence in one drives the terminal it is printed on (moving the cursor, rewriting
//! lines, setting the window title). Every XML writer passes text through
//! [`xml_chars`]; the terminal summary and error printing pass it through [`terminal`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// `c` may appear in an XML 1.0 document (escaped or not): tab, line feed, carriage
/// return and everything from U+0020 but the non-characters U+FFFE and U+FFFF.
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// `text` without the characters XML 1.0 forbids even when escaped (C0 controls other
/// than tab, line feed and carriage return; U+FFFE, U+FFFF).
pub fn xml_chars(text: &str) -> Cow<'_, str> {
    if text.chars().all(xml_allowed) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter(|c| xml_allowed(*c)).collect())
}

/// `text` with every control character (C0, DEL, C1) shown as an escape (`\e`, `\x07`,
/// `\u{9b}`) instead of being sent to the terminal; line feeds and tabs are kept when
/// `keep_layout` is set (multi-line messages), shown escaped otherwise.
pub fn terminal_with(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && !(keep_layout && matches!(c, '\n' | '\t'));
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !unsafe_char(c) {
            out.push(c);
            continue;
        }
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// [`terminal_with`] keeping line feeds and tabs: for messages printed as they are.
pub fn terminal(text: &str) -> Cow<'_, str> {
    terminal_with(text, true)
}

/// Markdown table-cell text: no line breaks or pipes, no backticks breaking code spans, and no HTML
/// (names and evidence come from the account or the plan).
pub fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '`' => out.push('\''),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    if out.chars().count() > 300 {
        out = out.chars().take(297).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_forbidden_characters_are_dropped_and_the_rest_kept() {
        assert_eq!(
            xml_chars("arn:aws:s3:::a\u{1}b\u{1b}c\u{FFFF}"),
            "arn:aws:s3:::abc"
        );
        assert_eq!(xml_chars("a\tb\nc & é"), "a\tb\nc & é");
    }

    #[test]
    fn escape_sequences_never_reach_the_terminal() {
        assert_eq!(terminal("\u{1b}[2Jprod\u{7}"), "\\e[2Jprod\\x07");
        assert_eq!(terminal("a\u{9b}31m"), "a\\u{9b}31m");
        assert_eq!(terminal("line\nnext"), "line\nnext");
        assert_eq!(terminal_with("line\nnext", false), "line\\nnext");
        assert_eq!(terminal("plain ARN é"), "plain ARN é");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(markdown_cell("a|b\n`c`<script>"), "a\\|b 'c'&lt;script&gt;");
    }
}
