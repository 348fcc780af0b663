//! Files only the counter's own account may read: the store and its WAL, backups, request
//! packages, printed forms and exports hold applicants' ID numbers and phones. Owns creating
//! them 0600 in 0700 folders on Unix (Windows: the per-user folders they live in are the
//! account's own already), and tightening a file SQLite made. Does not choose where files go.

use std::io::Write;
use std::path::Path;

/// Creates `dir` and its missing parents; the folders it creates are 0700 on Unix.
pub fn create_dir_all(dir: &Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens `path` for writing, created 0600 on Unix when it does not exist (an existing file
/// keeps its mode, tightened to 0600).
pub fn open_options() -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o
}

/// Writes `bytes` to `path` (replacing it), readable by this account only, in a folder made
/// as [`create_dir_all`] makes it.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    let mut f = open_options().write(true).create(true).truncate(true).open(path)?;
    restrict(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes an existing file 0600 on Unix (SQLite's own files, a file that existed before).
pub fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_0600_in_0700_folders_whatever_the_umask_allows() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b/export.csv");
        super::write(&file, b"x").unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&dir.path().join("a/b")), 0o700);
        // an existing world-readable file is tightened when written again
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        super::write(&file, b"y").unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read(&file).unwrap(), b"y");
    }
}
