//! The `bridgeway` binary's administrative commands.

use crate::process::bridgeway;

#[test]
fn accounts_and_tokens_are_created_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let (ok, out, err) = bridgeway(&["migrate", "--database-url", &url], "");
    assert!(ok, "{err}");
    assert!(out.contains("up to date"));

    let (ok, out, err) = bridgeway(
        &[
            "admin",
            "create-user",
            "--database-url",
            &url,
            "--username",
            "jdoe",
            "--role",
            "officer",
            "--full-name",
            "Jo Doe",
        ],
        "a very long password\n",
    );
    assert!(ok, "{err}");
    assert!(out.contains("created jdoe (Officer)"));

    let (ok, _, err) = bridgeway(
        &[
            "admin",
            "create-user",
            "--database-url",
            &url,
            "--username",
            "jdoe2",
            "--role",
            "officer",
        ],
        "short\n",
    );
    assert!(!ok);
    assert!(
        err.contains("password: must be at least 12 characters"),
        "{err}"
    );
    let (ok, _, err) = bridgeway(
        &[
            "admin",
            "create-user",
            "--database-url",
            &url,
            "--username",
            "jdoe",
            "--role",
            "officer",
        ],
        "a very long password\n",
    );
    assert!(!ok);
    assert!(err.contains("already taken"), "{err}");
    let (ok, _, err) = bridgeway(
        &[
            "admin",
            "create-user",
            "--database-url",
            &url,
            "--username",
            "x1",
            "--role",
            "wizard",
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("wizard"), "{err}");

    let (ok, _, err) = bridgeway(
        &[
            "admin",
            "create-token",
            "--database-url",
            &url,
            "--username",
            "jdoe",
            "--scope",
            "everything",
        ],
        "",
    );
    assert!(
        !ok && err.contains("--scope: 'everything' is not a known token scope"),
        "{err}"
    );

    let unlock = |user: &str| {
        bridgeway(
            &[
                "admin",
                "unlock",
                "--database-url",
                &url,
                "--username",
                user,
            ],
            "",
        )
    };
    let (ok, out, err) = unlock("jdoe");
    assert!(ok && out.contains("unlocked jdoe"), "{err}");
    let (ok, _, err) = unlock("ghost");
    assert!(!ok && err.contains("user not found"), "{err}");

    let (ok, out, err) = bridgeway(
        &[
            "admin",
            "create-token",
            "--database-url",
            &url,
            "--username",
            "jdoe",
            "--name",
            "reports",
        ],
        "",
    );
    assert!(ok, "{err}");
    let token = out.trim();
    assert!(token.starts_with("bw_") && token.len() > 60, "{token}");
    assert!(
        !err.contains(token),
        "the token is printed once, on standard output"
    );

    let (ok, _, err) = bridgeway(&["migrate", "--database-url", "mysql://nope"], "");
    assert!(!ok);
    assert!(err.contains("unsupported database URL"), "{err}");
}

#[test]
fn settings_come_from_a_file_and_the_command_line_wins() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = dir.path().join("from-file.db");
    let config = dir.path().join("bridgeway.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{}\"\nsession_idle_minutes = 15\n",
            from_file.display()
        ),
    )
    .unwrap();
    let (ok, _, err) = bridgeway(&["migrate", "--config", config.to_str().unwrap()], "");
    assert!(ok, "{err}");
    assert!(from_file.exists(), "the file's database was used");

    let from_cli = dir.path().join("from-cli.db");
    let (ok, _, err) = bridgeway(
        &[
            "migrate",
            "--config",
            config.to_str().unwrap(),
            "--database-url",
            &format!("sqlite://{}", from_cli.display()),
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(from_cli.exists(), "the command line wins over the file");

    std::fs::write(&config, "session_idle_minutes = 90\n").unwrap();
    let (ok, _, err) = bridgeway(&["migrate", "--config", config.to_str().unwrap()], "");
    assert!(!ok);
    assert!(err.contains("at most 30"), "{err}");
    std::fs::write(&config, "sesion_idle_minutes = 10\n").unwrap();
    let (ok, _, err) = bridgeway(&["migrate", "--config", config.to_str().unwrap()], "");
    assert!(!ok);
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn audit_verify_reports_a_tampered_trail_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let url = format!("sqlite://{}", path.display());
    for user in ["first", "second", "third"] {
        let (ok, _, err) = bridgeway(
            &[
                "admin",
                "create-user",
                "--database-url",
                &url,
                "--username",
                user,
                "--role",
                "officer",
            ],
            "a very long password\n",
        );
        assert!(ok, "{err}");
    }
    let (ok, out, err) = bridgeway(&["audit", "verify", "--database-url", &url], "");
    assert!(ok, "{err}");
    assert!(
        out.contains("audit trail intact: 3 events verified"),
        "{out}"
    );

    let tamper = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TRIGGER audit_events_no_update'); \
                      c.execute(\"UPDATE audit_events SET source = '10.9.9.9' WHERE seq = 2\"); c.commit()", path.to_str().unwrap()])
        .status()
        .expect("python3 edits the database as an intruder would");
    assert!(tamper.success());
    let (ok, _, err) = bridgeway(&["audit", "verify", "--database-url", &url], "");
    assert!(!ok, "a tampered trail fails verification");
    assert!(
        err.contains("audit trail broken at event #2 (user.create"),
        "{err}"
    );
}

#[test]
fn checkpoints_and_purges_run_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cp.db").display());
    let file = dir.path().join("checkpoints.jsonl");
    let file = file.to_str().unwrap();
    let create = [
        "admin",
        "create-user",
        "--database-url",
        &url,
        "--username",
        "ana",
        "--role",
        "officer",
    ];
    assert!(bridgeway(&create, "a very long password\n").0);
    let (ok, out, err) = bridgeway(
        &[
            "audit",
            "checkpoint",
            "--database-url",
            &url,
            "--file",
            file,
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.contains("checkpoint: event #1 (1 events)"), "{out}");
    let (ok, out, err) = bridgeway(
        &[
            "audit",
            "verify",
            "--database-url",
            &url,
            "--checkpoints",
            file,
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.contains("checkpoints: 1 match the trail"), "{out}");
    let (ok, out, err) = bridgeway(&["audit", "purge", "--database-url", &url], "");
    assert!(ok, "{err}");
    assert!(out.contains("no events are older than 2557 days"), "{out}");
    std::fs::write(file, "{}\n").unwrap();
    let (ok, _, err) = bridgeway(
        &[
            "audit",
            "verify",
            "--database-url",
            &url,
            "--checkpoints",
            file,
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("contradicts 1 of the checkpoints"), "{err}");
}

#[test]
fn keys_are_kept_beside_a_sqlite_database_and_rotated_from_the_command_line() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.db");
    let url = format!("sqlite://{}", db.display());
    let args = [
        "admin",
        "create-user",
        "--database-url",
        &url,
        "--username",
        "jdoe",
        "--role",
        "officer",
    ];
    let (ok, _, err) = bridgeway(&args, "a very long password\n");
    assert!(ok, "{err}");
    let beside = dir.path().join("keys.db.keys");
    let mode = std::fs::metadata(&beside).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "only the owner reads the key file");

    // The agency moves to its own key file and rotates to a second key.
    let file = dir.path().join("agency.keys");
    std::fs::copy(&beside, &file).unwrap();
    let (ok, out, err) = bridgeway(&["keys", "add", "--file", file.to_str().unwrap()], "");
    assert!(ok, "{err}");
    assert!(out.contains("key 2 added"), "{out}");
    let config = dir.path().join("bridgeway.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"{url}\"\nkey_file = \"{}\"\n",
            file.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (ok, out, err) = bridgeway(&["keys", "rotate", "--config", config], "");
    assert!(ok, "{err}");
    assert!(out.contains("re-sealed 0 values under key 2"), "{out}");
    assert!(out.contains("key 1: 0 values (unused"), "{out}");

    let (ok, _, err) = bridgeway(&["keys", "init", "--file", file.to_str().unwrap()], "");
    assert!(!ok);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn backups_are_taken_checked_and_restored_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let url = format!("sqlite://{}", db.display());
    let run = |args: &[&str]| bridgeway(args, "");
    crate::process::user_with_token(&url, "jdoe", "officer", "read");
    let backup = dir.path().join("backup.db").display().to_string();
    let (ok, out, err) = run(&["backup", "--database-url", &url, "--to", &backup]);
    assert!(ok, "{err}");
    assert!(
        out.contains("keep a copy of"),
        "the key file is named: {out}"
    );
    assert!(out.contains("live.db.keys"), "{out}");
    let (ok, _, err) = run(&["backup", "--database-url", &url, "--to", &backup]);
    assert!(!ok && err.contains("exists already"), "{err}");

    let (ok, out, err) = run(&["check", "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("audit trail: intact"), "{out}");
    assert!(out.contains("keys: every sealed column opens"), "{out}");

    // Restoring over a database in place needs --replace; the key file
    // beside it opens the backup.
    let (ok, _, err) = run(&["restore", "--database-url", &url, "--from", &backup]);
    assert!(!ok && err.contains("--replace"), "{err}");
    let (ok, out, err) = run(&[
        "restore",
        "--database-url",
        &url,
        "--from",
        &backup,
        "--replace",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("restored"), "{out}");
    let (ok, out, err) = run(&["check", "--database-url", &url]);
    assert!(ok && out.contains("audit trail: intact"), "{err}");

    // A sealed archive: nothing of the database shows, and it opens only
    // with its passphrase.
    let sealed = dir.path().join("sealed.bwa").display().to_string();
    let passphrase = "a long archive passphrase\n";
    let (ok, out, err) = bridgeway(
        &[
            "backup",
            "--database-url",
            &url,
            "--to",
            &sealed,
            "--encrypt",
        ],
        passphrase,
    );
    assert!(ok && out.contains("sealed with the passphrase"), "{err}");
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".backup-") || n.contains(".restore-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no plain snapshot left: {leftovers:?}"
    );
    let restore = |stdin: &str| {
        bridgeway(
            &[
                "restore",
                "--database-url",
                &url,
                "--from",
                &sealed,
                "--replace",
            ],
            stdin,
        )
    };
    let elsewhere = format!("sqlite://{}", dir.path().join("elsewhere.db").display());
    let (ok, _, err) = bridgeway(
        &["restore", "--database-url", &elsewhere, "--from", &backup],
        "",
    );
    assert!(!ok && err.contains("put the backup's key file at"), "{err}");
    assert!(
        !dir.path().join("elsewhere.db.keys").exists(),
        "no key file made up"
    );
    let (ok, _, err) = restore("not the passphrase at all\n");
    assert!(!ok && err.contains("does not open"), "{err}");
    let (ok, out, err) = restore(passphrase);
    assert!(ok && out.contains("restored"), "{err}");
    let (ok, out, err) = run(&["check", "--database-url", &url]);
    assert!(ok && out.contains("audit trail: intact"), "{err}");

    let (ok, _, err) = run(&[
        "backup",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
        "--to",
        &backup,
    ]);
    assert!(
        !ok && err.contains("pg_dump"),
        "PostgreSQL has its own tools: {err}"
    );
}

/// The demo on a busy port fails at once, saying why, before it makes any
/// data or prints any log-in.
#[test]
fn the_demo_on_a_busy_port_fails_before_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = busy.local_addr().unwrap().to_string();
    let (ok, out, err) = bridgeway(
        &[
            "demo",
            "--bind",
            &bind,
            "--database-url",
            &format!("sqlite://{}", db.display()),
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains(&format!("cannot listen on {bind}")), "{err}");
    assert!(!out.contains("Sign in as"), "{out}");
    assert!(!db.exists(), "no demo database was made");
}

/// `instruments test` passes the shipped instruments on their own
/// examples, and names each mismatch (failing) when a definition and its
/// examples disagree.
#[test]
fn instruments_are_tested_against_their_examples() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let file = |name: &str| format!("{dir}/instruments/{name}");
    for id in ["bw-needs-1", "bw-pretrial-1"] {
        let (definition, examples) = (
            file(&format!("{id}.toml")),
            file(&format!("{id}.examples.toml")),
        );
        let (ok, out, err) = bridgeway(&["instruments", "test", &definition, &examples], "");
        assert!(ok && out.contains(", 0 mismatches"), "{out}{err}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let wrong = tmp.path().join("wrong.toml");
    let shipped = std::fs::read_to_string(file("bw-pretrial-1.examples.toml")).unwrap();
    std::fs::write(
        &wrong,
        shipped.replace(r#"level = "high""#, r#"level = "low""#),
    )
    .unwrap();
    let (ok, out, err) = bridgeway(
        &[
            "instruments",
            "test",
            &file("bw-pretrial-1.toml"),
            wrong.to_str().unwrap(),
        ],
        "",
    );
    assert!(!ok);
    assert!(
        out.contains("MISMATCH young, violent, long record: level: expected low, got high"),
        "{out}"
    );
    assert!(err.contains("1 mismatch in 4 examples"), "{err}");
    let (ok, _, err) = bridgeway(
        &[
            "instruments",
            "test",
            wrong.to_str().unwrap(),
            &file("bw-pretrial-1.toml"),
        ],
        "",
    );
    assert!(
        !ok && err.contains("is not a valid instrument definition"),
        "{err}"
    );
}

/// Instruments are loaded from the command line: the same text again
/// changes nothing, other text under a loaded version is refused, a
/// version is exported as loaded and retired once.
#[test]
fn instruments_are_loaded_listed_exported_and_retired() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", tmp.path().join("b.db").display());
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--database-url", &url]);
        bridgeway(&all, "")
    };
    let definition = format!(
        "{}/instruments/bw-pretrial-1.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let (ok, out, err) = run(&["instruments", "import", &definition]);
    assert!(ok && out.contains("loaded bw-pretrial v1"), "{out}{err}");
    let (ok, out, _) = run(&["instruments", "import", &definition]);
    assert!(ok && out.contains("loaded already, unchanged"), "{out}");
    let edited = tmp.path().join("edited.toml");
    let text = std::fs::read_to_string(&definition).unwrap();
    std::fs::write(
        &edited,
        text.replace(
            "cutoffs = { default = [1, 3, 5] }",
            "cutoffs = { default = [1, 2, 5] }",
        ),
    )
    .unwrap();
    let (ok, _, err) = run(&["instruments", "import", edited.to_str().unwrap()]);
    assert!(!ok && err.contains("an edit is a new version"), "{err}");
    let (ok, out, _) = run(&["instruments", "list"]);
    assert!(
        ok && out.starts_with("bw-pretrial\tv1\tBridgeway Pretrial Screener\tin use"),
        "{out}"
    );
    let (ok, out, _) = run(&["instruments", "export", "bw-pretrial"]);
    assert!(ok && out == text, "exported as loaded");
    let (ok, out, _) = run(&["instruments", "retire", "bw-pretrial", "--version", "1"]);
    assert!(ok && out.contains("retired bw-pretrial v1"), "{out}");
    let (ok, _, err) = run(&["instruments", "retire", "bw-pretrial", "--version", "1"]);
    assert!(!ok && err.contains("retired already"), "{err}");
    let (ok, _, err) = run(&["instruments", "export", "nope"]);
    assert!(!ok && err.contains("instrument not found"), "{err}");
}
