//! A throwaway PostgreSQL cluster: `initdb` into a fresh temp dir, `postgres` listening only on a
//! Unix socket in that dir, and nothing left once it is dropped or its owner exits.
//!
//! `pgward demo` and the integration tests (`tests/support/mod.rs`) use it. Measured on a 2-core
//! machine: initdb 0.7-1.9 s, start-up 40-85 ms, `CREATE DATABASE` about 0.3 s.
//!
//! - No port clashes: the server listens on no TCP address, only on `<dir>/.s.PGSQL.5432`, and
//!   every cluster has a dir of its own. The dir is short (`/tmp/pgw-XXXXXX`) because a Unix socket
//!   path is limited to about 107 bytes.
//! - PostgreSQL refuses to run as root, so as root `initdb` and `postgres` run as the `postgres`
//!   user (looked up in /etc/passwd), in a dir handed over to it.
//! - Nothing outlives the owner, even one that never drops the cluster (a `static` in a test
//!   binary) or that is killed, even during initdb: `initdb` and then the postmaster run under a
//!   small `sh` supervisor whose stdin is a pipe from this process. When the pipe closes (on drop,
//!   or when this process exits in any way) the supervisor reads end-of-file, stops whichever runs
//!   (the server with an immediate shutdown) and removes the dir.

use std::collections::hash_map::RandomState;
use std::env;
use std::fs::{self, File};
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The port in the socket file's name (`.s.PGSQL.5432`); nothing listens on TCP.
const PORT: u16 = 5432;
/// The superuser `initdb` creates (`-U` in [`SUPERVISOR`]); it connects without a password
/// (`-A trust`, socket only).
const SUPERUSER: &str = "postgres";
/// The system account the server runs as when we are root.
const SERVER_ACCOUNT: &str = "postgres";
/// How long initdb and start-up may take: about 2 s normally, more on a busy CI machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// Lines of server log quoted in errors.
const LOG_TAIL_LINES: usize = 30;

const INSTALL_HINT: &str = "install PostgreSQL's server binaries (Debian/Ubuntu: \
    `apt-get install postgresql`) or put the directory holding `initdb` and `postgres` on PATH";

/// Runs `initdb` (`$2/initdb`) into `$1/data`, then the postmaster (`$2/postgres`, with the
/// options `"$@"` after the first two) until stdin reaches end-of-file. Then it stops whichever
/// runs with SIGQUIT (the postmaster's immediate shutdown), removes the cluster dir `$1` and exits.
/// It also exits when either program fails or the server dies on its own; the dir is then kept for
/// its log, and the owner removes it on drop.
const SUPERVISOR: &str = r#"
dir=$1 bindir=$2
shift 2
exec 3<&0 </dev/null
supervise() {
    echo "pgward-cluster: $*"
    "$@" 3<&- &
    child=$!
    { read -r _ <&3 || :; : >"$dir/stop"; kill -QUIT "$child" 2>/dev/null; } &
    watcher=$!
    wait "$child"
    status=$?
    if [ -e "$dir/stop" ]; then rm -rf "$dir"; exit 0; fi
    kill "$watcher" 2>/dev/null
    return "$status"
}
supervise "$bindir/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C || exit
supervise "$bindir/postgres" -D "$dir/data" -k "$dir" "$@"
"#;

/// Why a cluster could not be started or used. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "cannot find PostgreSQL's `{binary}` (looked on PATH, in `pg_config --bindir` and in \
         /usr/lib/postgresql/*/bin): {INSTALL_HINT}"
    )]
    NotInstalled { binary: &'static str },
    #[error(
        "running as root, which PostgreSQL refuses, and there is no `postgres` user in /etc/passwd \
         to run it as: create one (`useradd --system --user-group postgres`) or run as a non-root user"
    )]
    NoPostgresUser,
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    // The I/O error is in the message, not a `source`: miette would print it a second time.
    #[error("cannot run `{command}`: {error}")]
    Spawn { command: String, error: io::Error },
    #[error("`{command}` failed ({status}):\n{output}")]
    Failed {
        command: String,
        status: ExitStatus,
        output: String,
    },
    #[error(
        "initdb or postgres failed while starting a cluster ({status}); the end of its log:\n{log}"
    )]
    Exited { status: ExitStatus, log: String },
    #[error(
        "PostgreSQL did not accept connections within {} s; the end of its log:\n{log}",
        waited.as_secs()
    )]
    NotReady { waited: Duration, log: String },
}

/// A running throwaway cluster. Dropping it stops the server and removes its files.
#[derive(Debug)]
pub struct Cluster {
    /// `/tmp/pgw-XXXXXX`: the socket, `data/` and `log`.
    dir: PathBuf,
    /// Where `initdb` and `postgres` were found; client programs are looked for here first.
    bindir: PathBuf,
    /// The `sh` running [`SUPERVISOR`], as the postgres user when we are root.
    supervisor: Child,
    /// The write end of the supervisor's stdin: closing it stops the server.
    lifeline: Option<ChildStdin>,
}

/// The account the server runs as when we are root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Account {
    uid: u32,
    gid: u32,
}

impl Cluster {
    /// Creates a cluster in a new temp dir, starts it and waits until it accepts connections.
    pub fn start() -> Result<Cluster, ClusterError> {
        let bindir = find_bindir()?;
        let dir = make_temp_dir()?;
        // Removes the dir if we fail before the supervisor owns it.
        let mut guard = RemoveOnDrop(Some(dir.clone()));

        let io_err = |action, path: &Path| {
            let path = path.to_owned();
            move |source| ClusterError::Io {
                action,
                path,
                source,
            }
        };
        let owner = fs::metadata(&dir).map_err(io_err("inspect", &dir))?.uid();
        let account = if owner == 0 {
            let passwd = fs::read_to_string("/etc/passwd")
                .map_err(io_err("read", Path::new("/etc/passwd")))?;
            let account =
                passwd_account(&passwd, SERVER_ACCOUNT).ok_or(ClusterError::NoPostgresUser)?;
            std::os::unix::fs::chown(&dir, Some(account.uid), Some(account.gid))
                .map_err(io_err("hand over to the postgres user", &dir))?;
            Some(account)
        } else {
            None
        };

        let log_path = dir.join("log");
        let log = File::create(&log_path).map_err(io_err("create", &log_path))?;
        let log_err = log.try_clone().map_err(io_err("open", &log_path))?;
        let mut supervisor = Command::new("/bin/sh");
        supervisor
            .current_dir(&dir)
            .arg("-c")
            .arg(SUPERVISOR)
            .arg("pgward-cluster")
            .arg(&dir)
            .arg(&bindir)
            .args(["-p", &PORT.to_string()])
            .args(["-c", "listen_addresses="])
            .args(["-c", "fsync=off"])
            .args(["-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off"])
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_err)
            // Its own process group: Ctrl-C on the owner's terminal reaches the owner only, and
            // the supervisor then shuts down in order.
            .process_group(0);
        without_libpq_env(&mut supervisor);
        if let Some(a) = account {
            supervisor.uid(a.uid).gid(a.gid);
        }
        let mut child = supervisor.spawn().map_err(|source| ClusterError::Spawn {
            command: "/bin/sh -c <the cluster's supervisor script>".to_owned(),
            error: source,
        })?;
        guard.0 = None;
        let lifeline = child.stdin.take();
        let mut cluster = Cluster {
            dir,
            bindir,
            supervisor: child,
            lifeline,
        };
        cluster.wait_ready()?;
        Ok(cluster)
    }

    /// The directory holding the server's Unix socket: the `host` to connect to.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// The port in the socket's name.
    pub fn port(&self) -> u16 {
        PORT
    }

    /// The superuser to connect as; no password is needed.
    pub fn user(&self) -> &'static str {
        SUPERUSER
    }

    /// A libpq connection URL for a database of this cluster, also accepted by tokio-postgres:
    /// `postgresql://postgres@/DB?host=/tmp/pgw-XXXXXX&port=5432`.
    pub fn url(&self, dbname: &str) -> String {
        format!(
            "postgresql://{SUPERUSER}@/{}?host={}&port={PORT}",
            percent_encode(dbname),
            percent_encode(&self.dir.to_string_lossy())
        )
    }

    /// Creates an empty database (with the `createdb` client program).
    pub fn create_database(&self, name: &str) -> Result<(), ClusterError> {
        let createdb = self.client_program("createdb")?;
        let mut cmd = Command::new(createdb);
        without_libpq_env(&mut cmd);
        cmd.arg("-h")
            .arg(&self.dir)
            .arg("-p")
            .arg(PORT.to_string())
            .args(["-U", SUPERUSER, "-w", "--", name]);
        run(cmd)
    }

    /// The last lines of the server's log.
    pub fn log_tail(&self) -> String {
        let text = fs::read_to_string(self.dir.join("log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
    }

    /// A client program (`createdb`, `psql`) from the server's directory, else from PATH.
    fn client_program(&self, name: &'static str) -> Result<PathBuf, ClusterError> {
        let here = self.bindir.join(name);
        if is_executable(&here) {
            return Ok(here);
        }
        path_dirs()
            .into_iter()
            .map(|d| d.join(name))
            .find(|p| is_executable(p))
            .ok_or(ClusterError::NotInstalled { binary: name })
    }

    fn wait_ready(&mut self) -> Result<(), ClusterError> {
        let started = Instant::now();
        let pid_file = self.dir.join("data").join("postmaster.pid");
        let socket = self.dir.join(format!(".s.PGSQL.{PORT}"));
        loop {
            match self.supervisor.try_wait() {
                Ok(Some(status)) => {
                    return Err(ClusterError::Exited {
                        status,
                        log: self.log_tail(),
                    });
                }
                Ok(None) => {}
                Err(source) => {
                    return Err(ClusterError::Io {
                        action: "watch the server process for",
                        path: self.dir.clone(),
                        source,
                    });
                }
            }
            if is_ready(&pid_file) && socket.exists() {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(ClusterError::NotReady {
                    waited: START_TIMEOUT,
                    log: self.log_tail(),
                });
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // End-of-file for the supervisor: it stops the server and removes the dir.
        drop(self.lifeline.take());
        let _ = self.supervisor.wait();
        // The server may have died on its own, in which case the supervisor kept the dir.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Removes a directory when dropped, unless it was taken out.
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// The postmaster writes its status as the 8th line of `postmaster.pid`: `ready` once it accepts
/// connections (PostgreSQL 10+).
fn is_ready(pid_file: &Path) -> bool {
    fs::read_to_string(pid_file)
        .ok()
        .and_then(|text| text.lines().nth(7).map(|l| l.trim() == "ready"))
        .unwrap_or(false)
}

/// `PGDATA`, `PGPORT`, `PGOPTIONS`... would change what the programs do.
fn without_libpq_env(cmd: &mut Command) {
    for (key, _) in env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(key);
        }
    }
}

/// Runs a command to completion; its output goes into the error when it fails.
fn run(mut cmd: Command) -> Result<(), ClusterError> {
    let output = cmd.output().map_err(|source| ClusterError::Spawn {
        command: describe(&cmd),
        error: source,
    })?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    Err(ClusterError::Failed {
        command: describe(&cmd),
        status: output.status,
        output: text.trim_end().to_owned(),
    })
}

/// `initdb -D /tmp/pgw-abc123/data ...`, for messages.
fn describe(cmd: &Command) -> String {
    let mut out = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        out.push(' ');
        if arg.contains(char::is_whitespace) || arg.is_empty() {
            out.push_str(&format!("'{arg}'"));
        } else {
            out.push_str(&arg);
        }
    }
    out
}

/// The directory holding both `initdb` and `postgres`: from PATH, else `pg_config --bindir`,
/// else the newest `/usr/lib/postgresql/<version>/bin` (Debian's layout, not on PATH).
fn find_bindir() -> Result<PathBuf, ClusterError> {
    if let Some(dir) = path_dirs().into_iter().find(|d| has_server(d)) {
        return Ok(real_bindir(&dir));
    }
    let pg_config = path_dirs()
        .into_iter()
        .map(|d| d.join("pg_config"))
        .find(|p| is_executable(p));
    if let Some(pg_config) = pg_config
        && let Ok(out) = Command::new(pg_config).arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_server(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = parse_version(&entry.file_name().to_string_lossy())?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, dir)) => Ok(dir),
        None if path_dirs().iter().any(|d| is_executable(&d.join("initdb"))) => {
            Err(ClusterError::NotInstalled { binary: "postgres" })
        }
        None => Err(ClusterError::NotInstalled { binary: "initdb" }),
    }
}

/// `/usr/local/bin` may hold symlinks into the real directory, where the client programs live too.
fn real_bindir(dir: &Path) -> PathBuf {
    fs::canonicalize(dir.join("initdb"))
        .ok()
        .and_then(|p| p.parent().map(Path::to_owned))
        .filter(|real| has_server(real))
        .unwrap_or_else(|| dir.to_owned())
}

fn has_server(dir: &Path) -> bool {
    is_executable(&dir.join("initdb")) && is_executable(&dir.join("postgres"))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn path_dirs() -> Vec<PathBuf> {
    env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect())
        .unwrap_or_default()
}

/// `"15"` -> `[15]`, `"9.6"` -> `[9, 6]`; `None` for anything else.
fn parse_version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

/// The uid and gid of `user` in an /etc/passwd text.
fn passwd_account(passwd: &str, user: &str) -> Option<Account> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != user {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(Account { uid, gid })
    })
}

/// A new, private `/tmp/pgw-XXXXXX`. Not `$TMPDIR`: the socket path inside must stay short.
fn make_temp_dir() -> Result<PathBuf, ClusterError> {
    let mut last = None;
    for _ in 0..64 {
        let path = PathBuf::from(format!("/tmp/pgw-{}", random_suffix()));
        match fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((path, e)),
            Err(source) => {
                return Err(ClusterError::Io {
                    action: "create the directory",
                    path,
                    source,
                });
            }
        }
    }
    let (path, source) = last.expect("the loop ran at least once");
    Err(ClusterError::Io {
        action: "create the directory",
        path,
        source,
    })
}

/// Six random characters from `[a-z0-9]` (std's randomly keyed hasher, the pid and the clock).
fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    let mut n = hasher.finish();
    (0..6)
        .map(|_| {
            let c = ALPHABET[(n % 36) as usize];
            n /= 36;
            char::from(c)
        })
        .collect()
}

/// Percent-encodes everything but unreserved characters and `/` (for paths in a URL).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_accounts_from_passwd() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      postgresql:x:7:7::/:/bin/false\n\
                      postgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n";
        assert_eq!(
            passwd_account(passwd, "postgres"),
            Some(Account { uid: 101, gid: 104 })
        );
        assert_eq!(passwd_account(passwd, "nobody"), None);
        assert_eq!(
            passwd_account("postgres:x:abc:1::/:/bin/sh", "postgres"),
            None
        );
    }

    #[test]
    fn orders_versions_numerically() {
        let mut versions: Vec<Vec<u32>> = ["9.6", "15", "10", "16"]
            .iter()
            .filter_map(|v| parse_version(v))
            .collect();
        versions.sort();
        assert_eq!(versions.last(), Some(&vec![16]));
        assert_eq!(versions.first(), Some(&vec![9, 6]));
        assert_eq!(parse_version("main"), None);
    }

    #[test]
    fn encodes_url_parts() {
        assert_eq!(percent_encode("/tmp/pgw-ab12cd"), "/tmp/pgw-ab12cd");
        assert_eq!(percent_encode("my db?&"), "my%20db%3F%26");
    }

    #[test]
    fn temp_dirs_are_short_and_distinct() {
        let a = random_suffix();
        let b = random_suffix();
        assert_eq!(a.len(), 6);
        assert_ne!(a, b);
    }

    /// Starts a real cluster: needs PostgreSQL's server binaries, like the integration tests.
    #[test]
    fn starts_serves_and_leaves_nothing_behind() {
        let cluster = Cluster::start().unwrap_or_else(|e| panic!("{e}"));
        let dir = cluster.socket_dir().to_owned();
        assert!(dir.as_os_str().len() < 20, "{}", dir.display());
        cluster
            .create_database("made_by_createdb")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            cluster.url("made_by_createdb"),
            format!(
                "postgresql://postgres@/made_by_createdb?host={}&port=5432",
                dir.display()
            )
        );
        let pid_file = fs::read_to_string(dir.join("data/postmaster.pid")).unwrap();
        let postmaster: u32 = pid_file.lines().next().unwrap().trim().parse().unwrap();
        let mut alive = Command::new("/bin/sh");
        alive.args([
            "-c",
            "kill -0 \"$1\" 2>/dev/null",
            "sh",
            &postmaster.to_string(),
        ]);
        assert!(alive.status().unwrap().success(), "postmaster running");

        drop(cluster);
        assert!(!dir.exists(), "{} removed", dir.display());
        assert!(!alive.status().unwrap().success(), "postmaster gone");
    }
}
