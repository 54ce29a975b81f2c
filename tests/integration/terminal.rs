//! Output on a terminal: tables laid out to its width, no Markdown or HTML escapes, numbers
//! and bay lists never split; a pipe or an `--output` file gets exactly what it always got.

use crate::run;
use podplan::cli::Screen;

/// Runs podplan in-process as if standard output were a terminal `columns` wide.
fn on_terminal(columns: usize, args: &[&str]) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("podplan")
        .chain(args.iter().copied())
        .map(Into::into)
        .collect();
    let screen = Screen {
        columns,
        terminal: true,
        ..Screen::PIPE
    };
    let code = podplan::cli::run_on(argv, &mut out, &mut err, screen);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// The numbers and bay lists of a text: words with a digit, without table borders and
/// trailing punctuation.
fn numbers(text: &str) -> std::collections::BTreeSet<String> {
    text.replace(['│', '┆', '|'], " ")
        .split_whitespace()
        .map(|w| {
            w.trim_end_matches([',', ';', ')', ':'])
                .trim_start_matches('(')
        })
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| w.chars().all(|c| c.is_ascii_digit() || "$,.%-".contains(c)))
        .map(String::from)
        .collect()
}

const COMMANDS: [&[&str]; 8] = [
    &[],
    &["show"],
    &["bandwidth"],
    &["bom"],
    &["cost"],
    &["layout"],
    &["durability"],
    &[
        "compare",
        "designs/backblaze-pod-1.0.ron",
        "designs/backblaze-pod-6.0.ron",
    ],
];

#[test]
fn on_an_80_column_terminal_nothing_is_wider_and_no_number_is_split() {
    for args in COMMANDS {
        let (code, text, err) = on_terminal(80, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        for line in text.lines() {
            assert!(
                line.chars().count() <= 80,
                "{args:?}: a line of {} columns:\n{line}",
                line.chars().count()
            );
        }
        let (_, piped, _) = run(args);
        let wide = numbers(&piped);
        let narrow = numbers(&text);
        let missing: Vec<&String> = wide.difference(&narrow).collect();
        assert!(missing.is_empty(), "{args:?}: split or lost: {missing:?}");
    }
}

#[test]
fn the_main_job_on_a_terminal_is_tables_with_key_figures_first() {
    let (_, text, _) = on_terminal(80, &[]);
    for escape in ["<br>", "\\|", "###", "```", "| ---"] {
        assert!(!text.contains(escape), "{escape} on a terminal");
    }
    let key = text.find("Key figures").unwrap();
    assert!(key < text.find("Topology").unwrap());
    // The key figures fit one screen: they start within the first lines.
    assert!(text[..key].lines().count() < 8, "{:.400}", text);
    // --markdown gives the Markdown a pipe gets.
    let (_, md, _) = on_terminal(80, &["report", "--markdown"]);
    let (_, piped, _) = run(&[]);
    assert_eq!(md, piped);
    assert!(piped.contains("### Key figures"));
}

#[test]
fn a_pipe_and_an_output_file_get_the_fixed_layout() {
    // The fixed layout: as wide as 120 columns, whatever the terminal.
    let (_, piped, _) = run(&["bom"]);
    assert!(piped.lines().any(|l| l.chars().count() > 100));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.txt");
    let (code, out, err) = on_terminal(80, &["bom", "--output", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), piped);
    // `--output -` is the terminal itself.
    let (_, to_dash, _) = on_terminal(80, &["bom", "--output", "-"]);
    assert!(to_dash.lines().all(|l| l.chars().count() <= 80));
}

#[test]
fn colour_marks_the_binding_link_and_errors_only_when_asked() {
    let run_with = |colour: bool, args: &[&str]| {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let argv = std::iter::once("podplan")
            .chain(args.iter().copied())
            .map(Into::into)
            .collect();
        let screen = Screen {
            columns: 100,
            terminal: true,
            colour,
            colour_err: colour,
        };
        let code = podplan::cli::run_on(argv, &mut out, &mut err, screen);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    };
    let (_, plain, _) = run_with(false, &["bandwidth"]);
    assert!(!plain.contains('\x1b'));
    let (_, coloured, _) = run_with(true, &["bandwidth"]);
    let red: Vec<&str> = coloured.lines().filter(|l| l.contains('\x1b')).collect();
    assert!(!red.is_empty());
    assert!(
        red.iter()
            .all(|l| l.contains("binds") || !l.contains("yes")),
        "{red:?}"
    );
    // Errors on standard error: the word `error` in colour, the message unchanged.
    let (code, _, err) = run_with(true, &["show", "no-such.ron"]);
    assert_eq!(code, 2);
    assert!(err.contains("\x1b[1;31merror\x1b[0m"), "{err:?}");
    let (_, _, err) = run_with(false, &["show", "no-such.ron"]);
    assert!(!err.contains('\x1b'), "{err:?}");
}
