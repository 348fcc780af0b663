//! 帮助 (F1, #77): the manual's page for the desk the user is on, in a window of its own beside
//! the app's, offline. The manual (docs/manual, VitePress) is built into the app's own assets
//! under `manual/` (scripts/ui.sh), so it ships inside the binary and the package; its window
//! gets no IPC permission (capabilities/main.json names only the main window).

use crate::error::IpcError;
use certdesk_desk::ErrorKind;
use serde::Deserialize;
use tauri::Manager;

/// Where the user pressed F1: the desk on screen (the signed-out screens count as their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum HelpTopic {
    /// the manual's first page: the roles and how to find a task
    Start,
    /// before any account exists: the administrator's first start
    Setup,
    Intake,
    Cases,
    Review,
    Keys,
    Reports,
    Admin,
    /// signing in or unlocking with one's own USB key (#31): the sign-in screen once it asks for
    /// the key, the lock screen of a session signed in with it
    StaffKey,
}

impl HelpTopic {
    /// The manual's page for the topic, below `manual/` (each one's source is docs/manual/<page>.md).
    pub fn page(self) -> &'static str {
        match self {
            HelpTopic::Start => "index.html",
            HelpTopic::Setup => "admin/first-day.html",
            HelpTopic::Intake | HelpTopic::Cases => "clerk/unit-order.html",
            HelpTopic::Review => "supervisor/review.html",
            HelpTopic::Keys => "key-clerk/batch.html",
            HelpTopic::Reports => "supervisor/day-close.html",
            HelpTopic::Admin => "admin/first-day.html",
            HelpTopic::StaffKey => "supervisor/usb-key.html",
        }
    }
}

const WINDOW: &str = "help";

/// Opens the manual at the topic's page: a new window, or the one already open brought to the
/// front at that page.
#[tauri::command(async)]
pub fn open_help(app: tauri::AppHandle, topic: HelpTopic) -> Result<(), IpcError> {
    crate::log::call("open_help", || {
        let page = topic.page();
        let failed = |e: tauri::Error| IpcError::new(ErrorKind::Internal, format!("the manual's window: {e}"));
        if let Some(window) = app.get_webview_window(WINDOW) {
            // a path of the app's own origin, whatever the platform's scheme is
            window.eval(format!("location.replace('/manual/{page}')")).map_err(failed)?;
            let _ = window.unminimize();
            return window.set_focus().map_err(failed);
        }
        tauri::WebviewWindowBuilder::new(&app, WINDOW, tauri::WebviewUrl::App(format!("manual/{page}").into()))
            .title("证书受理台 操作手册")
            .inner_size(1000.0, 720.0)
            .min_inner_size(640.0, 480.0)
            .build()
            .map_err(failed)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_topic_has_its_page_in_the_manual() {
        let manual = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/manual");
        use HelpTopic::*;
        for topic in [Start, Setup, Intake, Cases, Review, Keys, Reports, Admin, StaffKey] {
            let source = manual.join(topic.page().replace(".html", ".md"));
            assert!(source.is_file(), "{topic:?}: {} is not in the manual", source.display());
        }
    }
}
