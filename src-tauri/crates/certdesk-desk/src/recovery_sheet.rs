//! The store's recovery key kept off the PC (#79 item 5): the sheet it is printed on and the
//! text file saved to a USB stick say the counter, the day it was made, the key in its groups
//! (never split inside one) and where to keep it. The key is the one the set-up just showed; it
//! is read back and checked (a mistyped character is caught), never stored nor logged here.

use crate::DeskError;
use crate::api::Desk;
use certdesk_domain::workflow::Role;
use certdesk_store::keys::RecoverySecret;
use serde::Serialize;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where the recovery key is kept, said on the sheet and in the file.
pub const KEEP: &[&str] = &[
    "请把本页交给受理点负责人，锁在保险柜或其他安全的地方，与本机和备份分开保管。",
    "所有管理员密码都丢失时，只有它能打开案件库及其备份；丢失它或它落入他人之手，都须尽快更换（certdesk store rekey）。",
    "不要拍照、复印或存放在本机上；打印成了文件或保存在U盘的，文件移到U盘后从本机删除，U盘同样须妥善保管。",
];

/// The recovery key as the sheet shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RecoverySheet {
    /// 受理点 code and name, as the settings have them now (empty before they are set)
    pub counter: String,
    /// the counter's day it was made (YYYY-MM-DD)
    pub date: String,
    /// `RK1` and its 11 groups of five characters
    pub groups: Vec<String>,
    pub keep: Vec<String>,
}

impl RecoverySheet {
    /// The sheet as a text file (UTF-8 with BOM, CRLF: Windows' Notepad shows it as it is).
    pub fn text(&self) -> Zeroizing<String> {
        let mut lines = vec!["证书受理台 案件库恢复密钥".to_string(), String::new()];
        if !self.counter.is_empty() {
            lines.push(format!("受理点：{}", self.counter));
        }
        lines.push(format!("生成日期：{}", self.date));
        lines.push(String::new());
        lines.push(format!("恢复密钥：{}", self.groups.join("-")));
        lines.push(String::new());
        lines.extend(self.keep.iter().cloned());
        Zeroizing::new(format!("\u{feff}{}\r\n", lines.join("\r\n")))
    }
}

impl Desk<'_> {
    /// The sheet of `key` (the recovery key the set-up showed), for an administrator.
    pub fn recovery_sheet(&self, key: &str) -> Result<RecoverySheet, DeskError> {
        self.require("print the recovery key", Role::Admin)?;
        let secret = RecoverySecret::parse(key).map_err(certdesk_store::StoreError::from)?;
        let text = secret.to_text();
        let counter = [self.setting("counter_code")?, self.setting("counter_name")?].into_iter().flatten().collect::<Vec<_>>().join(" ");
        Ok(RecoverySheet {
            counter,
            date: crate::dates::show_day(crate::dates::today()),
            groups: text.split('-').map(str::to_string).collect(),
            keep: KEEP.iter().map(|s| s.to_string()).collect(),
        })
    }

    /// The print dialog of the sheet, for an administrator: A4, the `printer` setting's
    /// printer; "print to file" offers `<print folder>/案件库恢复密钥.pdf` (the sheet says to
    /// move such a file off the PC).
    pub fn recovery_print_dialog(&self, env: &crate::place::Environment) -> Result<crate::print::PrintDialog, DeskError> {
        self.require("print the recovery key", Role::Admin)?;
        let folder = self.folder(crate::folders::Folder::Print, env)?;
        // "print to file" writes into it: a folder never used before is made first
        certdesk_store::private::create_dir_all(&folder).map_err(crate::io("cannot make", &folder))?;
        let file = folder.join("案件库恢复密钥.pdf");
        Ok(crate::print::PrintDialog { file, printer: self.setting("printer")? })
    }

    /// The sheet of `key` written to `path` (a file the administrator chose, on a USB stick),
    /// readable by this account only; the path written.
    pub fn save_recovery_key(&self, key: &str, path: &Path) -> Result<PathBuf, DeskError> {
        let sheet = self.recovery_sheet(key)?;
        certdesk_store::private::write(path, sheet.text().as_bytes()).map_err(crate::io("cannot write", path))?;
        Ok(path.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_says_the_counter_the_day_and_the_key_in_its_groups() {
        let key = RecoverySecret::generate().to_text();
        let groups: Vec<String> = key.split('-').map(str::to_string).collect();
        let sheet = RecoverySheet { counter: "GZ01 广州受理点".into(), date: "2026-11-30".into(), groups: groups.clone(), keep: KEEP.iter().map(|s| s.to_string()).collect() };
        let text = sheet.text();
        assert!(text.starts_with('\u{feff}') && text.contains("受理点：GZ01 广州受理点\r\n生成日期：2026-11-30"), "{}", *text);
        let line = text.lines().find(|l| l.starts_with("恢复密钥：")).expect("the key's line");
        // the key as typed back reads as the same secret
        let typed = line.trim_start_matches("恢复密钥：").trim();
        assert_eq!(RecoverySecret::parse(typed).expect("reads back").to_text(), key);
        assert_eq!((groups.len(), groups[0].as_str()), (12, "RK1"));
        assert!(groups[1..].iter().all(|g| g.len() == 5));
    }
}
