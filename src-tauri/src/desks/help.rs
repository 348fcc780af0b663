//! 帮助 (F1, #77): the manual's page for the desk and step the user is on (the intake's section
//! the focus is in, the case page's kind of case, 管理's section), in a window of its own beside
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
    // the intake's sections, by where the focus is
    IntakeUnit,
    IntakeHandler,
    IntakeEmployees,
    IntakeMaterials,
    /// the invoice, delivery, fee and payment sections
    IntakePayment,
    // a case open on the case page
    CasePage,
    CaseReturned,
    CasePosted,
    // 管理's sections
    AdminAccounts,
    AdminStaffKeys,
    AdminSettings,
    AdminOnline,
    AdminBackup,
}

impl HelpTopic {
    /// The manual's page for the topic, below `manual/` (each one's source is docs/manual/<page>.md),
    /// and the anchor of its step on that page (`{#anchor}` after the heading there).
    pub fn place(self) -> (&'static str, Option<&'static str>) {
        use HelpTopic::*;
        const ORDER: &str = "clerk/unit-order.html";
        match self {
            Start => ("index.html", None),
            Setup | Admin => ("admin/first-day.html", None),
            Intake | Cases => (ORDER, None),
            Review => ("supervisor/review.html", None),
            Keys => ("key-clerk/batch.html", None),
            Reports => ("supervisor/day-close.html", None),
            StaffKey => ("supervisor/usb-key.html", None),
            IntakeUnit => (ORDER, Some("unit")),
            IntakeHandler => (ORDER, Some("handler")),
            IntakeEmployees => (ORDER, Some("employees")),
            IntakeMaterials => (ORDER, Some("materials")),
            IntakePayment => (ORDER, Some("payment")),
            CasePage => ("clerk/forms-and-seal.html", None),
            CaseReturned => ("clerk/returned-case.html", None),
            CasePosted => ("clerk/posted-case.html", None),
            AdminAccounts => ("admin/accounts.html", None),
            AdminStaffKeys => ("admin/accounts.html", Some("staff-key")),
            AdminSettings => ("admin/drivers.html", None),
            AdminOnline => ("admin/online.html", None),
            AdminBackup => ("admin/backup.html", None),
        }
    }
}

const WINDOW: &str = "help";

/// Opens the manual at the topic's page: a new window, or the one already open brought to the
/// front at that page.
#[tauri::command(async)]
pub fn open_help(app: tauri::AppHandle, topic: HelpTopic) -> Result<(), IpcError> {
    crate::log::call("open_help", || {
        let (page, anchor) = topic.place();
        let failed = |e: tauri::Error| IpcError::new(ErrorKind::Internal, format!("the manual's window: {e}"));
        if let Some(window) = app.get_webview_window(WINDOW) {
            // a path of the app's own origin, whatever the platform's scheme is
            let hash = anchor.map(|a| format!("#{a}")).unwrap_or_default();
            window.eval(format!("location.replace('/manual/{page}{hash}')")).map_err(failed)?;
            let _ = window.unminimize();
            return window.set_focus().map_err(failed);
        }
        let window = tauri::WebviewWindowBuilder::new(&app, WINDOW, tauri::WebviewUrl::App(format!("manual/{page}").into()))
            .title("证书受理台 操作手册")
            .inner_size(1000.0, 720.0)
            .min_inner_size(640.0, 480.0)
            .build()
            .map_err(failed)?;
        if let Some(anchor) = anchor {
            // the step's place on the page: the URL the window was built with, with its anchor
            let mut url = window.url().map_err(failed)?;
            url.set_fragment(Some(anchor));
            window.navigate(url).map_err(failed)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_topic_has_its_page_and_step_in_the_manual() {
        let manual = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/manual");
        // every topic the UI can send: the bindings' union, generated from the enum
        let bindings = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts")).unwrap();
        let line = bindings.lines().find(|l| l.starts_with("export type HelpTopic")).expect("HelpTopic in the bindings");
        let topics: Vec<HelpTopic> =
            line.split('"').skip(1).step_by(2).map(|name| serde_json::from_value(serde_json::json!(name)).unwrap_or_else(|e| panic!("{name}: {e}"))).collect();
        assert!(topics.len() >= 20, "{line}");
        for topic in topics {
            let (page, anchor) = topic.place();
            let source = manual.join(page.replace(".html", ".md"));
            let text = std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("{topic:?}: {} is not in the manual: {e}", source.display()));
            if let Some(anchor) = anchor {
                // VitePress's own anchor after a heading: `### 2. 经办人 {#handler}`
                assert!(
                    text.lines().any(|l| l.starts_with('#') && l.trim_end().ends_with(&format!("{{#{anchor}}}"))),
                    "{topic:?}: no heading with {{#{anchor}}} in {}",
                    source.display()
                );
            }
        }
    }
}
