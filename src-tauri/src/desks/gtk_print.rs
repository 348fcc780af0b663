//! The system's print dialog on the forms' own paper: on Linux WebKitGTK's print operation run
//! by the app itself (paper by name where it is a standard one, no margins, the printer chosen
//! in the settings, "print to file" into the print folder, and the finished signal awaited so
//! the window takes the sheets down only when WebKit has painted them); elsewhere the
//! webview's own dialog. The only place that knows GTK's printing.

use crate::error::IpcError;
use certdesk_desk::ErrorKind;
use serde::Serialize;

/// What became of a print dialog.
#[derive(Serialize, ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PrintOutcome {
    /// The user printed (Linux tells).
    Printed,
    /// The user closed the dialog without printing.
    Cancelled,
    /// The dialog was opened; the platform does not say how it ended (WebView2, WKWebView).
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    Opened,
}

#[cfg(target_os = "linux")]
pub(crate) fn system_print(window: &tauri::WebviewWindow, width: f32, height: f32, file: &std::path::Path, printer: Option<String>) -> Result<PrintOutcome, IpcError> {
    use gtk::prelude::*;
    use webkit2gtk::PrintOperationExt;
    let uri = gtk::glib::filename_to_uri(file, None).map_err(|e| IpcError::new(ErrorKind::Print, format!("{}: {e}", file.display())))?.to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    window
        .with_webview(move |webview| {
            let (w, h) = (f64::from(width.min(height)), f64::from(width.max(height)));
            // a standard paper by its name where it is one, so the printer takes the right tray
            let named = [("iso_a4", 210.0, 297.0), ("iso_a5", 148.0, 210.0), ("iso_a3", 297.0, 420.0), ("iso_b5", 176.0, 250.0)]
                .into_iter()
                .find(|(_, pw, ph)| (w - pw).abs() < 0.6 && (h - ph).abs() < 0.6);
            let paper = match named {
                Some((name, _, _)) => gtk::PaperSize::new(Some(name)),
                None => gtk::PaperSize::new_custom("certdesk", "certdesk", w, h, gtk::Unit::Mm),
            };
            let setup = gtk::PageSetup::new();
            setup.set_paper_size(&paper);
            setup.set_orientation(if width > height { gtk::PageOrientation::Landscape } else { gtk::PageOrientation::Portrait });
            setup.set_top_margin(0.0, gtk::Unit::Mm);
            setup.set_bottom_margin(0.0, gtk::Unit::Mm);
            setup.set_left_margin(0.0, gtk::Unit::Mm);
            setup.set_right_margin(0.0, gtk::Unit::Mm);
            let settings = gtk::PrintSettings::new();
            settings.set_paper_size(&paper);
            settings.set_orientation(setup.orientation());
            settings.set(gtk::PRINT_SETTINGS_OUTPUT_URI, Some(&uri));
            if let Some(name) = &printer {
                settings.set_printer(name);
            }
            let view = webview.inner();
            let op = webkit2gtk::PrintOperation::new(&view);
            op.set_page_setup(&setup);
            op.set_print_settings(&settings);
            // WebKit paints the pages after the dialog closes: answer (and let the window take
            // the sheets down) only when it has finished or failed. The handlers hold the
            // operation until then and let go of it after.
            let keep = std::rc::Rc::new(std::cell::RefCell::new(Some(op.clone())));
            let (done, failed) = (tx.clone(), tx.clone());
            let keep_failed = keep.clone();
            op.connect_failed(move |_, e| {
                let _ = failed.send(Err(e.to_string()));
                keep_failed.borrow_mut().take();
            });
            op.connect_finished(move |_| {
                let _ = done.send(Ok(PrintOutcome::Printed));
                keep.borrow_mut().take();
            });
            let parent = view.toplevel().and_then(|w| w.downcast::<gtk::Window>().ok());
            if op.run_dialog(parent.as_ref()) != webkit2gtk::PrintOperationResponse::Print {
                let _ = tx.send(Ok(PrintOutcome::Cancelled));
            }
        })
        .map_err(|e| IpcError::new(ErrorKind::Print, format!("cannot open the print dialog: {e}")))?;
    match rx.recv() {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(why)) => Err(IpcError::new(ErrorKind::Print, format!("printing failed: {why}"))),
        Err(_) => Err(IpcError::new(ErrorKind::Print, "the print dialog ended without an answer")),
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn system_print(window: &tauri::WebviewWindow, _width: f32, _height: f32, _file: &std::path::Path, _printer: Option<String>) -> Result<PrintOutcome, IpcError> {
    // WebView2 and WKWebView open their own dialog; the print stylesheet sets the paper
    window.print().map_err(|e| IpcError::new(ErrorKind::Print, format!("cannot open the print dialog: {e}")))?;
    Ok(PrintOutcome::Opened)
}
