//! Text limits: every string in a design or catalog within the length of its field.

use super::*;

/// The length limit of a string field, by the name of the field it is in.
pub(super) fn text_limit(field: &str) -> usize {
    match field {
        "description" | "notes" | "note" | "source" | "conditions" => MAX_LONG_TEXT,
        "bays" | "groups" | "feeds" | "catalogs" => MAX_LIST_TEXT,
        "id" | "part" | "chassis" | "cpu" | "slot" | "currency" | "date" | "amount"
        | "capacity" | "module_size" | "value" | "field" | "pata" | "onboard" | "ports" => {
            MAX_SHORT_TEXT
        }
        _ => MAX_NAME_TEXT,
    }
}

/// Reports every string in `value` longer than its field's limit, without echoing it.
/// Enum variant names (`Drive`, `Backplane`, `Published`) are not part of the place.
pub(super) fn check_texts(s: &mut Sink, place: &str, field: &str, value: &serde_json::Value) {
    let mut path = Vec::new();
    walk(s, place, &mut path, field, value);
}

/// One step of a place: a field name or a list index.
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// The place `base` then `path`, as diagnostics write it (`slots[2].card.part`). Built only
/// for a text that is too long, so a clean design costs no string building.
fn place_of(base: &str, path: &[Seg]) -> String {
    let mut p = base.to_string();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !p.is_empty() {
                    p.push('.');
                }
                p.push_str(k);
            }
            Seg::Index(i) => p.push_str(&format!("[{i}]")),
        }
    }
    p
}

fn walk<'a>(
    s: &mut Sink,
    base: &str,
    path: &mut Vec<Seg<'a>>,
    field: &str,
    value: &'a serde_json::Value,
) {
    use serde_json::Value;
    match value {
        Value::String(t) => {
            let limit = text_limit(field);
            // Bytes bound characters from above: count characters only when it can matter.
            if t.len() > limit {
                let n = t.chars().count();
                if n > limit {
                    s.error(
                        Code::TextTooLong,
                        place_of(base, path),
                        format!("{field} is {n} characters long; the limit is {limit}"),
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(s, base, path, field, v);
                path.pop();
            }
        }
        Value::Object(map) => {
            let variant = map.len() == 1
                && map
                    .keys()
                    .next()
                    .is_some_and(|k| k.starts_with(|c: char| c.is_ascii_uppercase()));
            for (k, v) in map {
                if variant {
                    walk(s, base, path, field, v);
                } else {
                    path.push(Seg::Key(k));
                    walk(s, base, path, k, v);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// Checks the length of every text in a file; true when all are within their limits.
pub(super) fn texts_fit<T: serde::Serialize>(
    out: &mut Vec<Diagnostic>,
    file: &str,
    value: &T,
) -> bool {
    let Ok(v) = serde_json::to_value(value) else {
        return true;
    };
    let mark = out.len();
    let mut s = Sink { file, out };
    check_texts(&mut s, "", "", &v);
    out.len() == mark
}
