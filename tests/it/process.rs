//! Running the real `bridgeway` binary: commands, and a server on a free
//! loopback port spoken to over raw HTTP/1.1.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// Runs a command with `stdin`; returns success, standard output and error.
pub fn bridgeway(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bridgeway"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bridgeway");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A staff account of `role` made on the command line, and an API token of
/// `scope` for it (printed by the command, returned here).
pub fn user_with_token(url: &str, username: &str, role: &str, scope: &str) -> String {
    let password = "a long command-line passphrase";
    let create = [
        "admin",
        "create-user",
        "--database-url",
        url,
        "--username",
        username,
        "--role",
        role,
    ];
    let (ok, _, err) = bridgeway(&create, password);
    assert!(ok, "{err}");
    let token = [
        "admin",
        "create-token",
        "--database-url",
        url,
        "--username",
        username,
        "--scope",
        scope,
    ];
    let (ok, out, err) = bridgeway(&token, "");
    assert!(ok, "{err}");
    out.trim().to_owned()
}

/// A `bridgeway serve` process. Its log is drained as it is written (a
/// full pipe would block the server).
pub struct Server {
    child: Child,
    log: std::thread::JoinHandle<String>,
    pub port: u16,
}

impl Server {
    /// Starts `bridgeway serve <args> --bind 127.0.0.1:<free port>` and waits
    /// until it accepts connections.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let bind = format!("127.0.0.1:{port}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_bridgeway"))
            .arg("serve")
            .args(args)
            .args(["--bind", &bind])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let mut stderr = child.stderr.take().expect("stderr");
        let log = std::thread::spawn(move || {
            let mut log = String::new();
            let _ = stderr.read_to_string(&mut log);
            log
        });
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self { child, log, port };
            }
            if let Ok(Some(status)) = child.try_wait() {
                let log = log.join().unwrap_or_default();
                panic!("the server exited ({status}): {log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not start listening");
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream
    }

    /// One request over a fresh plain connection; the whole response.
    pub fn http(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
        exchange(self.connect(), self.port, method, path, headers, body)
    }

    /// Kills the server outright (SIGKILL: no shutdown, as a power cut or
    /// the out-of-memory killer would); its log.
    pub fn kill(mut self) -> String {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
        self.log.join().expect("the log")
    }

    /// Stops the server with SIGTERM; its exit status and its log.
    pub fn stop(mut self) -> (ExitStatus, String) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        let status = self.child.wait().expect("wait");
        (status, self.log.join().expect("the log"))
    }
}

/// Writes one HTTP/1.1 request to `stream` and reads the whole response
/// (lossily decoded; a failed read ends it).
pub fn exchange(
    mut stream: impl Read + Write,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> String {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).expect("send");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

pub fn form(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The `Set-Cookie` header of a response, whole.
pub fn set_cookie(response: &str) -> String {
    let line = response
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("a cookie");
    line.split_once(':').expect("header").1.trim().to_owned()
}

/// The `name=value` pair a response's cookie sets.
pub fn cookie_of(response: &str) -> String {
    set_cookie(response)
        .split(';')
        .next()
        .expect("pair")
        .to_owned()
}
