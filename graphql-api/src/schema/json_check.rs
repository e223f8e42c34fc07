//! Whether a text is one JSON value, as `serde_json` decides it for a `RawValue`, without
//! allocating: the change feed checks every stored `changes` cell it sends, 500 per page, and
//! `serde_json`'s check (which keeps a stack of open containers on the heap) was one of the
//! largest costs of a page. Values nested deeper than [`MAX_DEPTH`] are left to `serde_json`.
//! Cross-checked against `serde_json` on generated texts.

/// Deepest nesting this check follows itself (one bit per open container).
const MAX_DEPTH: u32 = 64;

/// Whether `text` is exactly one JSON value, with optional whitespace around it.
pub fn is_json(text: &str) -> bool {
    match check(text.as_bytes()) {
        Some(ok) => ok,
        None => serde_json::from_str::<&serde_json::value::RawValue>(text).is_ok(),
    }
}

/// `None` when nested deeper than [`MAX_DEPTH`].
fn check(b: &[u8]) -> Option<bool> {
    let mut at = 0;
    // Bit `d` of `objects` is set when the container at depth `d + 1` is an object.
    let (mut objects, mut depth) = (0u64, 0u32);
    'value: loop {
        at = skip_space(b, at);
        match b.get(at) {
            Some(b'{' | b'[') => {
                if depth == MAX_DEPTH {
                    return None;
                }
                let object = b[at] == b'{';
                objects = (objects << 1) | u64::from(object);
                depth += 1;
                at = skip_space(b, at + 1);
                let close = if object { b'}' } else { b']' };
                if b.get(at) == Some(&close) {
                    // Empty: a value has ended.
                    at += 1;
                    objects >>= 1;
                    depth -= 1;
                } else if object {
                    match key(b, at) {
                        Some(next) => {
                            at = next;
                            continue 'value;
                        }
                        None => return Some(false),
                    }
                } else {
                    continue 'value;
                }
            }
            Some(b'"') => match string(b, at) {
                Some(next) => at = next,
                None => return Some(false),
            },
            Some(b't') if b[at..].starts_with(b"true") => at += 4,
            Some(b'f') if b[at..].starts_with(b"false") => at += 5,
            Some(b'n') if b[at..].starts_with(b"null") => at += 4,
            Some(b'-' | b'0'..=b'9') => match number(b, at) {
                Some(next) => at = next,
                None => return Some(false),
            },
            _ => return Some(false),
        }
        // A value has ended: close containers, or go on to the next element or member.
        loop {
            at = skip_space(b, at);
            if depth == 0 {
                return Some(at == b.len());
            }
            let object = objects & 1 == 1;
            match b.get(at) {
                Some(b',') if object => match key(b, skip_space(b, at + 1)) {
                    Some(next) => {
                        at = next;
                        continue 'value;
                    }
                    None => return Some(false),
                },
                Some(b',') => {
                    at += 1;
                    continue 'value;
                }
                Some(b'}') if object => {}
                Some(b']') if !object => {}
                _ => return Some(false),
            }
            at += 1;
            objects >>= 1;
            depth -= 1;
        }
    }
}

fn skip_space(b: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(at) {
        at += 1;
    }
    at
}

/// A member's key and its `:`; returns where its value starts.
fn key(b: &[u8], at: usize) -> Option<usize> {
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let at = skip_space(b, string(b, at)?);
    (b.get(at) == Some(&b':')).then_some(at + 1)
}

/// The string starting at `b[at]` (a `"`); returns the index after its closing quote.
fn string(b: &[u8], at: usize) -> Option<usize> {
    let mut at = at + 1;
    loop {
        match *b.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => {
                at += match *b.get(at + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                    b'u' if b.get(at + 2..at + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                    _ => return None,
                };
            }
            0..=0x1f => return None,
            _ => at += 1,
        }
    }
}

/// The number starting at `b[at]`; returns the index after it.
fn number(b: &[u8], mut at: usize) -> Option<usize> {
    if b[at] == b'-' {
        at += 1;
    }
    match *b.get(at)? {
        b'0' => at += 1,
        b'1'..=b'9' => at = digits(b, at),
        _ => return None,
    }
    if b.get(at) == Some(&b'.') {
        let end = digits(b, at + 1);
        if end == at + 1 {
            return None;
        }
        at = end;
    }
    if let Some(b'e' | b'E') = b.get(at) {
        at += 1;
        if let Some(b'+' | b'-') = b.get(at) {
            at += 1;
        }
        let end = digits(b, at);
        if end == at {
            return None;
        }
        at = end;
    }
    Some(at)
}

fn digits(b: &[u8], mut at: usize) -> usize {
    while b.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_says(text: &str) -> bool {
        serde_json::from_str::<&serde_json::value::RawValue>(text).is_ok()
    }

    const SEEDS: &[&str] = &[
        r#"{"band":"5","fte":0.8,"pay_point":null,"employer_code":"ICB"}"#,
        r#"{"a":{"b":[1,-2.5e+3,true,false,null,"x\"y\\z\/\u00e9\n"]},"c":[]}"#,
        r#" [ {} , [ ] , 0 , -0.0 , 1E9 , "" ] "#,
        "\"\\uD800\"",
        "123",
        "{\"k\"\t:\r\n\"v\"}",
    ];

    #[test]
    fn agrees_with_serde_json_on_good_and_broken_texts() {
        let mut texts: Vec<String> = SEEDS.iter().map(|s| s.to_string()).collect();
        texts.extend(
            [
                "",
                " ",
                "{",
                "}",
                "[",
                "]",
                "[1,]",
                "{\"a\":1,}",
                "{\"a\"}",
                "{\"a\":}",
                "{1:2}",
                "01",
                "-",
                "1.",
                ".5",
                "1e",
                "1e+",
                "+1",
                "--1",
                "tru",
                "nul",
                "True",
                "\"a",
                "\"\\x\"",
                "\"\\u12G4\"",
                "\"\\u12\"",
                "\"a\u{1}b\"",
                "1 2",
                "[]]",
                "{}}",
                "[}",
                "{]",
                "{\"a\":1 \"b\":2}",
                "[1 2]",
                "\"\u{7f}\u{e9}\"",
                "null x",
                "[[[]]]",
            ]
            .map(String::from),
        );
        // Every cut and every one-byte change of the seeds.
        for seed in SEEDS {
            for cut in 0..=seed.len() {
                if let (Some(head), Some(tail)) = (seed.get(..cut), seed.get(cut..)) {
                    texts.push(head.to_string());
                    texts.push(tail.to_string());
                    for byte in [
                        "\"", "\\", ",", ":", "{", "}", "[", "]", "0", "-", " ", "e", "\u{1}",
                    ] {
                        texts.push(format!("{head}{byte}{tail}"));
                        if let Some(rest) = tail.get(1..) {
                            texts.push(format!("{head}{byte}{rest}"));
                        }
                    }
                }
            }
        }
        for text in &texts {
            assert_eq!(is_json(text), serde_says(text), "{text:?}");
        }
        assert!(texts.len() > 5_000);
    }

    #[test]
    fn deep_nesting_is_left_to_serde_json() {
        for depth in [63, 64, 65, 200, 2_000] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(check(text.as_bytes()).is_none(), depth > 64, "{depth}");
            assert_eq!(is_json(&text), serde_says(&text), "{depth}");
        }
    }
}
