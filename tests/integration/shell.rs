//! Shell completions, manual pages and help text: every shell gets a script and every command
//! is in it, every command has a man page, and help wraps to the terminal.

use crate::run;
use clap::CommandFactory;

/// The names of podplan's commands, read from the parser itself (a new command is covered
/// without editing this test).
fn commands() -> Vec<String> {
    let cmd = podplan::cli::Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    names
}

#[test]
fn completions_for_every_shell_name_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(err.is_empty(), "{shell}: {err}");
        for name in commands() {
            assert!(out.contains(&name), "{shell} completions lack {name}");
        }
        // Options of the commands too, not only their names.
        assert!(out.contains("workload"), "{shell}: no --workload");
    }
    let (code, _, err) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("bash"), "{err}");
}

#[test]
fn man_page_names_every_command_and_each_has_its_own_page() {
    let (code, page, err) = run(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(page.contains(".TH podplan 1"), "{page}");
    assert!(page.contains("Exit codes"), "{page}");
    for name in commands() {
        // roff escapes the hyphen.
        let reference = format!("podplan\\-{name}(1)");
        assert!(page.contains(&reference), "podplan(1) lacks {reference}");
        if name == "help" {
            continue;
        }
        let (code, sub, err) = run(&["man", &name]);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(
            sub.contains(&format!(".TH podplan-{name} 1")),
            "{name}: {sub}"
        );
        assert!(sub.contains(".SH OPTIONS"), "{name}: {sub}");
    }
    let (code, _, err) = run(&["man", "nosuch"]);
    assert_eq!(code, 2);
    assert!(err.contains("no command \"nosuch\""), "{err}");
}

#[test]
fn man_page_output_file_is_written_atomically_and_never_over_a_design() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("podplan.1");
    let t = target.to_str().unwrap();
    let (code, out, err) = run(&["man", "--output", t]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let (_, page, _) = run(&["man"]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), page);
    let ron = dir.path().join("pod.ron");
    let (code, _, err) = run(&["completions", "bash", "--output", ron.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(!ron.exists());
}

#[test]
fn help_wraps_to_the_terminal_width() {
    for columns in ["80", "60"] {
        for args in [
            &["--help"][..],
            &["bandwidth", "--help"],
            &["report", "--help"],
        ] {
            let out = assert_cmd::cargo::cargo_bin_cmd!("podplan")
                .args(args)
                .env("COLUMNS", columns)
                .output()
                .unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            let width: usize = columns.parse().unwrap();
            let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            assert!(
                widest <= width,
                "{args:?} at COLUMNS={columns}: a line of {widest}\n{text}"
            );
        }
    }
}
