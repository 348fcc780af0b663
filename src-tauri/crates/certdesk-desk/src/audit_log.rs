//! 审计日志 in the app (#79): the audit chain's events for an administrator or a supervisor,
//! newest first, a page at a time, filtered by the counter's days, the account, the case and
//! the action; and the same selection exported as a table (CSV or XLSX, the action in Chinese)
//! into the export folder. Owns who may read the log this way and the Chinese name of every
//! audit action in exports.

use crate::DeskError;
use crate::api::Desk;
use crate::place::Environment;
use crate::report::{ExportFormat, Exported, Table};
use certdesk_domain::workflow::Role;
use certdesk_store::{AuditAction, AuditEvent, AuditFilter};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Events on one page of the log.
pub const PAGE: i64 = 200;
/// Rows an export holds at most (a year of a busy counter is under this).
pub const EXPORT_ROWS: i64 = 200_000;

/// What the log screen asks for: the counter's days `from` to `to` (both included,
/// YYYY-MM-DD), and where not empty the account (login), the case number and the action (its
/// wire name); `before`: the last page's oldest event (`seq`), for the next page.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ts_rs::TS)]
pub struct AuditQuery {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub case_number: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub before: Option<i64>,
}

/// One page of the log, newest first; `more`: older events match too (ask with `before`);
/// `actions`: every action the chain records (wire names), for the screen's choice of one.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub more: bool,
    pub actions: Vec<String>,
}

impl Desk<'_> {
    /// A page of the audit log (#79), for an administrator or a supervisor.
    pub fn audit_log(&self, query: &AuditQuery) -> Result<AuditPage, DeskError> {
        let (mut filter, _) = self.audit_filter(query, "read the audit log")?;
        filter.limit = PAGE + 1;
        let mut events = self.store.audit_events(&filter)?;
        let more = events.len() > usize::try_from(PAGE).unwrap_or(usize::MAX);
        events.truncate(usize::try_from(PAGE).unwrap_or(usize::MAX));
        Ok(AuditPage { events, more, actions: AuditAction::ALL.iter().map(|a| a.wire().to_string()).collect() })
    }

    /// Every event `query` selects (at most [`EXPORT_ROWS`], newest first), exported into the
    /// export folder as `审计日志-<from>至<to>.<csv|xlsx>`.
    pub fn export_audit_log(&self, env: &Environment, query: &AuditQuery, format: &str) -> Result<Exported, DeskError> {
        let format = ExportFormat::parse(format)?;
        let (mut filter, (from, to)) = self.audit_filter(query, "export the audit log")?;
        filter.before_seq = None;
        filter.limit = EXPORT_ROWS;
        let events = self.store.audit_events(&filter)?;
        let people = self.display_names()?;
        let table = audit_table(&events, &people, from, to);
        // named by the days as parsed (a day typed 2026/11/24 names no folder)
        let path = self.folder(crate::folders::Folder::Exports, env)?.join(crate::folders::audit_log(from, to, format.extension()));
        crate::report::write_table(&table, format, &path)?;
        Ok(Exported { path, rows: table.rows.len() })
    }

    /// The store's filter for `query`, once the account may read the log and the days are
    /// days; the days as parsed.
    fn audit_filter(&self, query: &AuditQuery, what: &'static str) -> Result<(AuditFilter, (NaiveDate, NaiveDate)), DeskError> {
        self.actor().require(what, &[Role::Admin, Role::Supervisor]).map_err(certdesk_store::ActError::from)?;
        let from = crate::dates::parse_day(query.from.trim())?;
        let to = crate::dates::parse_day(query.to.trim())?;
        if to < from {
            return Err(DeskError::DayRange { from, to });
        }
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let action = given(&query.action);
        if let Some(a) = &action
            && AuditAction::from_wire(a).is_none()
        {
            let known = AuditAction::ALL.iter().map(|a| a.wire()).collect::<Vec<_>>().join(", ");
            return Err(DeskError::UnknownValue { what: "audit action", value: a.clone(), known });
        }
        let filter = AuditFilter {
            from: crate::dates::day_bounds(from).0,
            to: crate::dates::day_bounds(to).1,
            actor: given(&query.actor),
            case_number: given(&query.case_number).map(|n| n.to_ascii_uppercase()),
            action,
            before_seq: query.before,
            limit: PAGE,
        };
        Ok((filter, (from, to)))
    }
}

/// The exported log: one row per event, the action and the people in the counter's words.
fn audit_table(events: &[AuditEvent], people: &std::collections::BTreeMap<String, String>, from: NaiveDate, to: NaiveDate) -> Table {
    let who = |login: &str| match people.get(login).filter(|n| !n.is_empty()) {
        Some(name) => format!("{name}（{login}）"),
        None => login.to_string(),
    };
    Table {
        title: format!("审计日志 {} 至 {}", crate::dates::show_day(from), crate::dates::show_day(to)),
        header: ["序号", "时间", "操作人", "操作", "案件编号", "说明"].map(String::from).to_vec(),
        rows: events
            .iter()
            .map(|e| {
                let action = AuditAction::from_wire(&e.action).map_or_else(|| e.action.clone(), |a| zh_action(a).to_string());
                vec![e.seq.to_string(), local_time(&e.at), who(&e.actor), action, e.case_number.clone().unwrap_or_default(), note(&e.detail)]
            })
            .collect(),
    }
}

/// An instant of the chain in the counter's time, to the second.
fn local_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at).map_or_else(|_| at.to_string(), |t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
}

/// What an event's detail says in a line: its short text fields (a reason, a reference, a
/// status), not digests, hashes nor signatures.
fn note(detail: &serde_json::Value) -> String {
    const SKIP: &[&str] = &["digest", "hash", "signature", "sha256", "certificate", "chain", "salt", "pem", "der"];
    let Some(fields) = detail.as_object() else { return String::new() };
    fields
        .iter()
        .filter(|(k, _)| !SKIP.iter().any(|s| k.contains(s)))
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) if !s.is_empty() && s.chars().count() <= 80 => Some(format!("{k}={s}")),
            serde_json::Value::Number(n) => Some(format!("{k}={n}")),
            serde_json::Value::Bool(b) => Some(format!("{k}={b}")),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every audit action in the counter's words (an export is read by people, not programs).
pub fn zh_action(action: AuditAction) -> &'static str {
    use AuditAction as A;
    match action {
        A::Create => "创建案件",
        A::Accept => "受理",
        A::Submit => "提交复核",
        A::Approve => "复核通过",
        A::Return => "退回",
        A::Edit => "修改资料",
        A::IssueKey => "制证完成",
        A::Deliver => "交付",
        A::Close => "归档",
        A::Cancel => "作废",
        A::Reissue => "登记补办",
        A::CertWithdrawn => "撤回证书",
        A::StepDone => "确认步骤",
        A::AttachmentAdded => "添加附件",
        A::FilesChanged => "文件变动，须重新复核",
        A::SealImported => "导入印章采集表",
        A::SealAccepted => "采用识别存疑的印模",
        A::FormsPrinted => "打印申请表",
        A::TokenInitialized => "初始化Key",
        A::KeyGenerated => "生成密钥与证书请求",
        A::CertificateImported => "导入签发的证书",
        A::CertificateWritten => "写入证书",
        A::SealWritten => "写入印章",
        A::EncryptionImported => "导入加密证书",
        A::TokenUnlocked => "解锁Key",
        A::TokenWiped => "擦除Key",
        A::PinChanged => "修改PIN",
        A::DesksGranted => "授权受理台角色",
        A::StoreBackup => "备份案件库",
        A::StoreRestored => "从备份恢复案件库",
        A::StatementImported => "导入银行对账单",
        A::PaymentConfirmed => "确认到账",
        A::UnitProved => "凭单位证书核验",
        A::StoreMigrated => "迁入大厅案件库",
        A::StoreEncrypted => "案件库已加密",
        A::StoreRecovered => "用恢复密钥打开案件库",
        A::StoreRekeyed => "案件库已更换密钥",
        A::Hold => "冻结案件（法律保全）",
        A::ReleaseHold => "解除冻结",
        A::Purged => "清除个人信息",
        A::Setting => "修改设置",
        A::UserAdd => "添加账号",
        A::UserPasswd => "设置密码",
        A::UserRoles => "修改角色",
        A::UserName => "设置姓名",
        A::UserDisable => "停用账号",
        A::UserUnlock => "解锁账号",
        A::LoginFailed => "密码错误",
        A::UserLocked => "账号被锁定（密码错误次数过多）",
        A::KeyEnrolled => "登记USB Key",
        A::KeyEnded => "USB Key停用",
        A::DayClosed => "日结",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_note_says_the_short_fields_and_leaves_out_digests() {
        let d = json!({"reason": "营业执照模糊", "status_before": "submitted", "digest": "ab12", "approval_sha256": "ff", "cert": 2, "pem": "-----BEGIN", "long": "x".repeat(200)});
        assert_eq!(note(&d), "cert=2; reason=营业执照模糊; status_before=submitted");
    }

    #[test]
    fn every_action_has_its_chinese_name() {
        for a in AuditAction::ALL {
            assert!(!zh_action(*a).is_empty() && !zh_action(*a).is_ascii(), "{}", a.wire());
        }
    }
}
