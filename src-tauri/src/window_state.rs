//! The main window's size and place, remembered between runs: read at start, fitted onto the
//! screens there are now (a counter PC's screen changes; a window must never open off screen or
//! larger than a 1366×768 screen), written shortly after each move or resize and when the window
//! closes, so a power cut keeps the last place too. The file `window.json` sits beside the log
//! folder (Linux `$XDG_STATE_HOME/certdesk`, Windows `%LOCALAPPDATA%\certdesk`). Owns that file
//! and the fitting; not the window's defaults (`tauri.conf.json`).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{PhysicalPosition, PhysicalSize, WebviewWindow, WindowEvent};

/// Where the window was: its outer top-left corner and inner size, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    #[serde(default)]
    pub maximized: bool,
}

/// A screen's work area in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Screen {
    fn contains(&self, x: i64, y: i64) -> bool {
        x >= self.x as i64 && y >= self.y as i64 && x < self.x as i64 + self.width as i64 && y < self.y as i64 + self.height as i64
    }
}

/// The saved placement made to fit the screens there are now: on the screen holding the saved
/// window's centre (else the first one), no larger than that screen and no smaller than the
/// window's minimum, moved inside it. `None` when there is no screen to fit onto.
pub fn fit(saved: Placement, screens: &[Screen], min: (u32, u32)) -> Option<Placement> {
    let centre = (saved.x as i64 + saved.width as i64 / 2, saved.y as i64 + saved.height as i64 / 2);
    let screen = screens.iter().find(|s| s.contains(centre.0, centre.1)).or(screens.first())?;
    let width = saved.width.max(min.0).min(screen.width);
    let height = saved.height.max(min.1).min(screen.height);
    let max_x = screen.x as i64 + (screen.width - width) as i64;
    let max_y = screen.y as i64 + (screen.height - height) as i64;
    let x = (saved.x as i64).clamp(screen.x as i64, max_x) as i32;
    let y = (saved.y as i64).clamp(screen.y as i64, max_y) as i32;
    Some(Placement { x, y, width, height, maximized: saved.maximized })
}

/// `window.json` beside the log folder.
pub fn file() -> PathBuf {
    crate::log::state_dir().join("window.json")
}

/// The saved placement; a missing file is the first run, a garbled one is said in the log and
/// forgotten (the window opens at its defaults).
pub fn load(path: &Path) -> Option<Placement> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "the window's place cannot be read");
            return None;
        }
    };
    match serde_json::from_str(&text) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "the window's place is not valid JSON: the defaults are used");
            None
        }
    }
}

/// Writes the placement whole (a temp file renamed over the old one: never half a file).
pub fn save(path: &Path, placement: &Placement) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        certdesk_desk::private::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    {
        use std::io::Write;
        let mut f = certdesk_desk::private::open_options().write(true).create(true).truncate(true).open(&tmp)?;
        f.write_all(serde_json::to_string_pretty(placement).map_err(std::io::Error::other)?.as_bytes())?;
    }
    std::fs::rename(&tmp, path)
}

fn current(window: &WebviewWindow, last: Option<Placement>) -> Option<Placement> {
    let maximized = window.is_maximized().unwrap_or(false);
    if maximized {
        // a maximised window keeps the normal size it returns to
        return last.map(|p| Placement { maximized: true, ..p });
    }
    let pos = window.outer_position().ok()?;
    let size = window.inner_size().ok()?;
    Some(Placement { x: pos.x, y: pos.y, width: size.width, height: size.height, maximized: false })
}

fn screens(window: &WebviewWindow) -> Vec<Screen> {
    window
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let area = m.work_area();
            Screen { x: area.position.x, y: area.position.y, width: area.size.width, height: area.size.height }
        })
        .filter(|s| s.width > 0 && s.height > 0)
        .collect()
}

/// Puts the window where it was and keeps its place from now on.
pub fn track(window: &WebviewWindow) {
    let path = file();
    let min = window.scale_factor().map(|f| ((1024.0 * f) as u32, (640.0 * f) as u32)).unwrap_or((1024, 640));
    let mut last = None;
    if let Some(saved) = load(&path) {
        match fit(saved, &screens(window), min) {
            Some(p) => {
                let _ = window.set_size(PhysicalSize::new(p.width, p.height));
                let _ = window.set_position(PhysicalPosition::new(p.x, p.y));
                if p.maximized {
                    let _ = window.maximize();
                }
                tracing::info!(x = p.x, y = p.y, width = p.width, height = p.height, maximized = p.maximized, "window placed where it was");
                last = Some(Placement { maximized: false, ..p });
            }
            None => tracing::info!("no screen to fit the saved window onto: the defaults are used"),
        }
    }
    // the newest placement not yet written; a writer thread writes it at most twice a second
    let pending: Arc<Mutex<(Option<Placement>, Option<Placement>)>> = Arc::new(Mutex::new((last, None)));
    let writer = pending.clone();
    let write_path = path.clone();
    std::thread::Builder::new()
        .name("window-state".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let next = writer.lock().map(|mut g| g.1.take()).unwrap_or(None);
                if let Some(p) = next
                    && let Err(e) = save(&write_path, &p)
                {
                    tracing::warn!(file = %write_path.display(), error = %e, "the window's place cannot be saved");
                }
            }
        })
        .ok();
    let w = window.clone();
    window.on_window_event(move |event| match event {
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
            if let Ok(mut g) = pending.lock() {
                let now = current(&w, g.0);
                if let Some(p) = now
                    && g.0 != Some(p)
                {
                    if !p.maximized {
                        g.0 = Some(p);
                    }
                    g.1 = Some(p);
                }
            }
        }
        WindowEvent::CloseRequested { .. } | WindowEvent::Destroyed => {
            let now = pending.lock().ok().and_then(|mut g| g.1.take());
            if let Some(p) = now
                && let Err(e) = save(&path, &p)
            {
                tracing::warn!(file = %path.display(), error = %e, "the window's place cannot be saved");
            }
        }
        _ => {}
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAPTOP: Screen = Screen { x: 0, y: 0, width: 1366, height: 728 };

    #[test]
    fn a_place_on_the_screen_is_kept() {
        let p = Placement { x: 40, y: 20, width: 1200, height: 700, maximized: false };
        assert_eq!(fit(p, &[LAPTOP], (1024, 640)), Some(p));
    }

    #[test]
    fn a_window_from_a_larger_screen_fits_a_1366_by_768_one() {
        let p = Placement { x: 300, y: 200, width: 1900, height: 1000, maximized: false };
        let fitted = fit(p, &[LAPTOP], (1024, 640)).unwrap();
        assert_eq!(fitted, Placement { x: 0, y: 0, width: 1366, height: 728, maximized: false });
    }

    #[test]
    fn a_window_left_on_a_screen_that_is_gone_comes_back_to_the_first() {
        let p = Placement { x: 2000, y: 100, width: 1100, height: 700, maximized: true };
        let fitted = fit(p, &[LAPTOP], (1024, 640)).unwrap();
        assert_eq!(fitted, Placement { x: 266, y: 28, width: 1100, height: 700, maximized: true });
    }

    #[test]
    fn the_second_screen_keeps_its_window_and_a_tiny_one_grows_to_the_minimum() {
        let second = Screen { x: 1366, y: 0, width: 1920, height: 1040 };
        let p = Placement { x: 1500, y: -50, width: 300, height: 200, maximized: false };
        let fitted = fit(p, &[LAPTOP, second], (1024, 640)).unwrap();
        assert_eq!(fitted, Placement { x: 1500, y: 0, width: 1024, height: 640, maximized: false });
        assert_eq!(fit(p, &[], (1024, 640)), None);
    }

    #[test]
    fn saved_and_loaded_whole_and_a_garbled_file_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("window.json");
        assert_eq!(load(&path), None);
        let p = Placement { x: -8, y: 12, width: 1280, height: 720, maximized: true };
        save(&path, &p).unwrap();
        assert_eq!(load(&path), Some(p));
        std::fs::write(&path, "{\"x\": 1,").unwrap();
        assert_eq!(load(&path), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            save(&path, &p).unwrap();
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
