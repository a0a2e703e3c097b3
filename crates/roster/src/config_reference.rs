//! The configuration reference (`docs/configuration.md`), generated from the typed
//! [`Config`]: each field's doc comment (read from this crate's own source, so the text
//! lives in one place), its `ROSTER_…` variable, its command-line flag (from clap) and its
//! built-in default (from `Config::default()`). A test fails when the file is stale;
//! `ROSTER_UPDATE_DOCS=1 cargo test -p roster config_reference` rewrites it.
//!
//! Why not a derive crate for the doc comments: the source is at hand through
//! `include_str!`, and a dozen lines read it; a derive would add a proc-macro dependency for
//! the same text.

use crate::cli::Cli;
use crate::config::Config;
use clap::CommandFactory;
use figment::value::Value;
use std::collections::BTreeSet;
use std::fmt::Write;

const SOURCE: &str = include_str!("config.rs");

/// Each field of `Config`, in declaration order, with its doc comment joined into one line.
fn documented_fields() -> Vec<(String, String)> {
    let body = SOURCE.split_once("pub struct Config {").map_or("", |(_, rest)| rest);
    let body = body.split_once("\n}").map_or(body, |(b, _)| b);
    let mut fields = Vec::new();
    let mut doc: Vec<&str> = Vec::new();
    for line in body.lines().map(str::trim) {
        if let Some(text) = line.strip_prefix("///") {
            doc.push(text.trim());
        } else if let Some(field) = line.strip_prefix("pub ").and_then(|l| l.split_once(':')) {
            fields.push((field.0.trim().to_owned(), doc.join(" ")));
            doc.clear();
        }
    }
    fields
}

/// Every long flag of every subcommand.
fn flags() -> BTreeSet<String> {
    let cli = Cli::command();
    let mut out = BTreeSet::new();
    let mut stack = vec![&cli];
    while let Some(cmd) = stack.pop() {
        out.extend(cmd.get_arguments().filter_map(|a| a.get_long()).map(str::to_owned));
        stack.extend(cmd.get_subcommands());
    }
    out
}

fn shown(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(_, s)) if s.is_empty() => "(empty)".into(),
        Some(Value::String(_, s)) => format!("`{s}`"),
        Some(Value::Num(_, n)) => n.to_u128().map_or_else(|| format!("{n:?}"), |n| format!("`{n}`")),
        Some(Value::Bool(_, b)) => format!("`{b}`"),
        Some(other) => format!("`{other:?}`"),
        None => String::new(),
    }
}

/// The whole reference, as Markdown.
pub fn markdown() -> String {
    let defaults = Value::serialize(Config::default()).expect("the defaults serialize");
    let defaults = defaults.into_dict().expect("Config is a table");
    let flags = flags();
    let mut out = String::from(
        "# Configuration reference\n\n\
         Generated from the typed configuration (`crates/roster/src/config.rs`) by\n\
         `ROSTER_UPDATE_DOCS=1 cargo test -p roster config_reference`; a test fails when this file is stale.\n\n\
         Every setting can be given, from lowest to highest precedence, as its built-in default,\n\
         in the `--config` TOML file (key = the setting's name; `config/default.toml` lists them all),\n\
         as a `ROSTER_…` environment variable, or (where one exists) as a command-line flag.\n\
         A key the file does not know (a misspelling) stops Roster at start, naming the key;\n\
         `ROSTER_…` variables that name no setting are left alone.\n\n\
         | setting | environment | flag | default | meaning |\n|---|---|---|---|---|\n",
    );
    for (name, doc) in documented_fields() {
        let env = format!("ROSTER_{}", name.to_uppercase());
        let flag = name.replace('_', "-");
        let flag = if flags.contains(&flag) { format!("`--{flag}`") } else { String::new() };
        let default = shown(defaults.get(&name));
        let _ = writeln!(out, "| `{name}` | `{env}` | {flag} | {default} | {} |", doc.replace('|', "\\|"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md")
    }

    #[test]
    fn every_setting_is_documented_with_its_env_name_and_default() {
        let fields = documented_fields();
        assert!(fields.len() >= 20, "{fields:?}");
        for (name, doc) in &fields {
            assert!(!doc.is_empty(), "Config::{name} has no doc comment");
        }
        let md = markdown();
        assert!(md.contains("| `bind` | `ROSTER_BIND` | `--bind` | `127.0.0.1:8080` |"), "{md}");
        assert!(md.contains("| `trusted_proxies` | `ROSTER_TRUSTED_PROXIES` |  | (empty) |"), "{md}");
        assert!(md.contains("| `max_connections` | `ROSTER_MAX_CONNECTIONS` |  | `1024` |"), "{md}");
    }

    #[test]
    fn config_reference_is_up_to_date() {
        let fresh = markdown();
        if std::env::var("ROSTER_UPDATE_DOCS").is_ok_and(|v| v == "1") {
            std::fs::write(path(), &fresh).expect("write docs/configuration.md");
        }
        let on_disk = std::fs::read_to_string(path()).unwrap_or_default();
        assert!(
            on_disk == fresh,
            "docs/configuration.md is stale: run `ROSTER_UPDATE_DOCS=1 cargo test -p roster config_reference`"
        );
    }
}
