//! The end of the line: the POWERDOWNFLAG file and SHUTDOWNCMD.
//!
//! The flag file holds exactly upsmon's magic text, [`SDMAGIC`], with no newline. At start
//! upsmon removes a flag file it recognises (one starting with the magic) and refuses to
//! touch one that holds anything else; `upsmon -K` exits 0 only for a recognised one.

use std::io;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio::process::Command;

use super::log::{Level, Logger};

/// The content of the POWERDOWNFLAG file (`SDMAGIC` in upsmon.h).
pub const SDMAGIC: &str = "upsmon-shutdown-file";

/// What a POWERDOWNFLAG path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagStatus {
    /// No file (or no POWERDOWNFLAG configured).
    Absent,
    /// A file starting with [`SDMAGIC`].
    Set,
    /// A file with something else in it.
    Foreign,
}

/// Reads the flag file as upsmon does (the first line, up to 255 bytes, must start with the
/// magic).
pub fn flag_status(path: Option<&Path>) -> FlagStatus {
    let Some(path) = path else {
        return FlagStatus::Absent;
    };
    match std::fs::read(path) {
        Err(_) => FlagStatus::Absent,
        Ok(bytes) => {
            let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
            let first = &first[..first.len().min(255)];
            if first.starts_with(SDMAGIC.as_bytes()) {
                FlagStatus::Set
            } else {
                FlagStatus::Foreign
            }
        }
    }
}

/// `upsmon -K`: exit status 0 when the flag is set, 1 otherwise, with upsmon's log line.
pub fn check_flag(path: Option<&Path>, log: &Logger) -> u8 {
    match flag_status(path) {
        FlagStatus::Set => {
            log.log(Level::Info, "Power down flag is set");
            0
        }
        FlagStatus::Absent => {
            log.log(Level::Err, "Power down flag is not set");
            1
        }
        FlagStatus::Foreign => {
            let p = path.map(|p| p.display().to_string()).unwrap_or_default();
            log.log(
                Level::Err,
                &format!("POWERDOWNFLAG ({p}) does not contain the upsmon magic string"),
            );
            1
        }
    }
}

/// At start: removes our own flag file; returns `None` (flag disabled) if the file holds
/// something else, as upsmon does.
pub fn clear_flag(path: Option<PathBuf>, log: &Logger) -> Option<PathBuf> {
    match flag_status(path.as_deref()) {
        FlagStatus::Absent => path,
        FlagStatus::Set => {
            if let Some(p) = &path {
                let _ = std::fs::remove_file(p);
            }
            path
        }
        FlagStatus::Foreign => {
            let p = path.map(|p| p.display().to_string()).unwrap_or_default();
            log.log(
                Level::Err,
                &format!(
                    "POWERDOWNFLAG ({p}) does not contain the upsmon magic string - disabling!"
                ),
            );
            None
        }
    }
}

/// Who carries out the shutdown once the monitor decides it.
#[async_trait]
pub trait PowerOff: Send + Sync {
    /// Writes the flag and runs the shutdown command (directly, or by asking someone who
    /// can).
    async fn power_off(&mut self);
}

/// Doing it in this process: `upsmon -p`, and the privileged parent.
#[derive(Debug, Clone)]
pub struct DirectPowerOff {
    /// POWERDOWNFLAG.
    pub powerdownflag: Option<PathBuf>,
    /// SHUTDOWNCMD.
    pub shutdowncmd: Option<String>,
    /// Where errors go.
    pub log: Logger,
}

impl DirectPowerOff {
    /// The POWERDOWNFLAG and SHUTDOWNCMD of `conf`, after clearing a flag file left by a
    /// previous shutdown ([`clear_flag`]), as upsmon does at start.
    pub fn prepare(conf: &nut_proto::config::UpsmonConf, log: &Logger) -> Self {
        Self {
            powerdownflag: clear_flag(conf.powerdownflag.clone().map(PathBuf::from), log),
            shutdowncmd: conf.shutdowncmd.clone(),
            log: log.clone(),
        }
    }

    /// Writes the flag file (errors are logged, like upsmon's).
    pub fn set_flag(&self) {
        if let Some(p) = &self.powerdownflag {
            if std::fs::write(p, SDMAGIC).is_err() {
                self.log
                    .log(Level::Err, "Failed to create power down flag!");
            }
        }
    }

    /// Runs SHUTDOWNCMD through `/bin/sh -c` and waits for it.
    pub async fn run_command(&self) -> io::Result<()> {
        let Some(cmd) = &self.shutdowncmd else {
            return Ok(());
        };
        let status = Command::new("/bin/sh").arg("-c").arg(cmd).status().await?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!("exit status {status}")))
        }
    }
}

#[async_trait]
impl PowerOff for DirectPowerOff {
    async fn power_off(&mut self) {
        if !nix::unistd::geteuid().is_root() {
            self.log.log(Level::Warning, "Not root, shutdown may fail");
        }
        self.set_flag();
        if self.run_command().await.is_err() {
            let cmd = self.shutdowncmd.clone().unwrap_or_default();
            self.log.log(
                Level::Err,
                &format!("Unable to call shutdown command: {cmd}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_file_recognition() {
        let dir = std::env::temp_dir().join(format!("nut-rs-pdflag-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("killpower");
        assert_eq!(flag_status(Some(&p)), FlagStatus::Absent);
        std::fs::write(&p, SDMAGIC).expect("write");
        assert_eq!(flag_status(Some(&p)), FlagStatus::Set);
        std::fs::write(&p, "important data").expect("write");
        assert_eq!(flag_status(Some(&p)), FlagStatus::Foreign);
        let log = Logger::stderr_only("test");
        assert_eq!(clear_flag(Some(p.clone()), &log), None);
        assert!(p.exists(), "a foreign file is never removed");
        std::fs::write(&p, SDMAGIC).expect("write");
        assert_eq!(clear_flag(Some(p.clone()), &log), Some(p.clone()));
        assert!(!p.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
