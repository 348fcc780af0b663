//! The crate's errors. Every failed read says its cause in English (`Display`) and in Chinese
//! (`zh`), and has a stable `kind` for the desk and the CLI's JSON. Personal data stay out of
//! the messages: a wrong ID number is named by the position of its wrong character, not
//! printed whole.

use crate::command::Command;
use crate::frame::FrameError;
use crate::status::Status;
use serde::Serialize;
use std::path::PathBuf;

/// What is wrong with a card's ID number (other than its check character, which is
/// [`TextError::CheckDigit`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdNumberProblem {
    /// The product's own validator refuses the number (length, region, birth date, …).
    /// (`Problem` is Display, not an `Error`, so it is written out rather than made a source.)
    #[error("{0}")]
    Validator(certdesk_domain::ident::Problem),
    /// The validator normalises full-width digits and a lowercase x; the chip must already
    /// hold the plain form.
    #[error("it is not written in plain digits and X")]
    NotPlain,
    #[error("a 港澳台居民居住证 number starts with 810000, 820000 or 830000")]
    NotHkMoTwRegion,
    #[error("a 2017 permanent residence number is 3 capital letters and 12 digits")]
    NotPermanentResidenceForm,
}

/// The stable name of an error's cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The serial device or the vendor library cannot be opened, or a port number is invalid.
    Open,
    /// The serial line failed.
    Io,
    /// The reader did not answer.
    Timeout,
    /// The reader stopped in the middle of an answer.
    Truncated,
    BadCheckByte,
    /// A frame too short for its command (length field or data).
    ShortFrame,
    OversizedFrame,
    UnknownStatus,
    /// The reader answered with a known status that is not success (SAM failure, …).
    ReaderStatus,
    NoCard,
    /// The card left the reader between finding it and reading it.
    CardRemoved,
    /// Text that is not UCS-2.
    BadText,
    /// A field of the text block that is not what the standard allows.
    BadField,
    BadIdNumber,
    UnsupportedCardType,
    /// A vendor library without a function the counter needs.
    MissingFunction,
}

/// Where a card was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Select,
    Read,
}

impl Step {
    fn en(self) -> &'static str {
        match self {
            Step::Select => "selected",
            Step::Read => "read",
        }
    }
    fn zh(self) -> &'static str {
        match self {
            Step::Select => "选卡",
            Step::Read => "读卡",
        }
    }
}

/// What is wrong in a text block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the text block has {0} bytes, not 256")]
    Size(usize),
    #[error("{field} is not UCS-2 text: 0x{unit:04X} at byte {offset}")]
    NotUcs2 { field: &'static str, offset: usize, unit: u16 },
    #[error("{field} ({value:?}) is not {expected}")]
    Field { field: &'static str, value: String, expected: &'static str },
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("the {field} differs from the one in the ID number")]
    Disagrees { field: &'static str },
    #[error("the ID number's check character (position {position}) is {found:?}, the number computes to {expected:?}")]
    CheckDigit { position: usize, found: char, expected: char },
    #[error("the ID number is not valid: {0}")]
    IdNumber(IdNumberProblem),
    #[error("unsupported card type: flag {flag:?} at byte 248{}", if *.flag == 'Y' { " (likely the 2023 外国人永久居留身份证, whose layout no public source at hand fixes)" } else { "" })]
    UnsupportedType { flag: char },
}

impl TextError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            TextError::NotUcs2 { .. } => ErrorKind::BadText,
            TextError::Size(_) | TextError::Field { .. } | TextError::Empty { .. } | TextError::Disagrees { .. } => ErrorKind::BadField,
            TextError::CheckDigit { .. } | TextError::IdNumber(_) => ErrorKind::BadIdNumber,
            TextError::UnsupportedType { .. } => ErrorKind::UnsupportedCardType,
        }
    }

    pub fn zh(&self) -> String {
        match self {
            TextError::Size(n) => format!("文字信息为{n}字节，应为256字节"),
            TextError::NotUcs2 { field, offset, unit } => format!("{}不是UCS-2文字：第{offset}字节处为0x{unit:04X}", field_zh(field)),
            TextError::Field { field, value, .. } => format!("{}“{value}”不符合规范", field_zh(field)),
            TextError::Empty { field } => format!("{}为空", field_zh(field)),
            TextError::Disagrees { field } => format!("{}与证件号码中的不一致", field_zh(field)),
            TextError::CheckDigit { position, found, expected } => format!("证件号码第{position}位校验码为“{found}”，按前17位应为“{expected}”"),
            TextError::IdNumber(problem) => format!("证件号码有误：{problem}"),
            TextError::UnsupportedType { flag: 'Y' } => "不支持的证件类型：类型标识“Y”（应为2023版外国人永久居留身份证，现有公开资料未给出其机读信息格式）".into(),
            TextError::UnsupportedType { flag } => format!("不支持的证件类型：类型标识“{flag}”"),
        }
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "sex" => "性别",
        "nation" => "民族",
        "birth date" => "出生日期",
        "address" => "住址",
        "ID number" => "证件号码",
        "issuer" => "签发机关",
        "valid from" => "有效期起始日期",
        "valid to" => "有效期截止日期",
        "pass number" => "通行证号码",
        "issue count" => "签发次数",
        "English name" => "英文姓名",
        "Chinese name" => "中文姓名",
        "nationality" => "国籍",
        "card version" => "证件版本号",
        "authority code" => "受理机关代码",
        "card type" => "证件类型标识",
        _ => "字段",
    }
}

/// Why reading a card failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdCardError {
    #[error("cannot open the reader at {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: serialport::Error,
    },
    #[error("the serial line failed while {op}: {source}")]
    Io {
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("the reader did not answer {} within {waited_ms} ms", .command.en())]
    Timeout { command: Command, waited_ms: u64 },
    #[error("the reader stopped answering {} after {got} of {} bytes", .command.en(), .expected.map_or("the frame's".to_string(), |e| e.to_string()))]
    Truncated { command: Command, got: usize, expected: Option<usize> },
    #[error("answer to {}: {source}", .command.en())]
    Frame {
        command: Command,
        #[source]
        source: FrameError,
    },
    #[error("short frame: the answer to {} has {got} data bytes, it needs {needed}", .command.en())]
    ShortAnswer { command: Command, got: usize, needed: usize },
    #[error("the answer to {} has a {what} length of {len} bytes, outside the standard", .command.en())]
    BlockLength { command: Command, what: &'static str, len: usize },
    #[error("unknown status {:02X} {:02X} {:02X} in the answer to {}", .sw[0], .sw[1], .sw[2], .command.en())]
    UnknownStatus { command: Command, sw: [u8; 3] },
    #[error("the reader refused {}: {status}", .command.en())]
    Status { command: Command, status: Status },
    #[error("no card on the reader")]
    NoCard,
    #[error("the card was taken off the reader before it could be {}", .step.en())]
    CardRemoved { step: Step },
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("cannot load the reader library {path}: {source}")]
    Load {
        path: PathBuf,
        #[source]
        source: libloading::Error,
    },
    #[error("{path} does not export {symbol}: not an SDT reader library, or one without a call the counter needs")]
    MissingSymbol { path: PathBuf, symbol: &'static str },
    #[error("{port} is not a reader port: USB ports are 1001–1016, serial ports 1–16")]
    BadPort { port: i32 },
    #[error("no reader answers on the USB ports 1001–1016 or the serial ports 1–16 of {path}")]
    NoReader { path: PathBuf },
    #[error("{function} failed: {status}")]
    Library { function: &'static str, status: Status },
    #[error("{function} returned {what}")]
    LibraryAnswer { function: &'static str, what: String },
}

impl IdCardError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            IdCardError::Open { .. } | IdCardError::Load { .. } | IdCardError::BadPort { .. } | IdCardError::NoReader { .. } => ErrorKind::Open,
            IdCardError::Io { .. } => ErrorKind::Io,
            IdCardError::Timeout { .. } => ErrorKind::Timeout,
            IdCardError::Truncated { .. } => ErrorKind::Truncated,
            IdCardError::Frame { source: FrameError::BadCheck { .. }, .. } => ErrorKind::BadCheckByte,
            IdCardError::Frame { source: FrameError::TooShort { .. }, .. } | IdCardError::ShortAnswer { .. } | IdCardError::BlockLength { .. } => ErrorKind::ShortFrame,
            IdCardError::Frame { source: FrameError::Oversized { .. }, .. } => ErrorKind::OversizedFrame,
            IdCardError::UnknownStatus { .. } => ErrorKind::UnknownStatus,
            IdCardError::Status { .. } | IdCardError::Library { .. } | IdCardError::LibraryAnswer { .. } => ErrorKind::ReaderStatus,
            IdCardError::NoCard => ErrorKind::NoCard,
            IdCardError::CardRemoved { .. } => ErrorKind::CardRemoved,
            IdCardError::Text(t) => t.kind(),
            IdCardError::MissingSymbol { .. } => ErrorKind::MissingFunction,
        }
    }

    /// The message in Chinese, for the counter.
    pub fn zh(&self) -> String {
        match self {
            IdCardError::Open { path, source } => format!("无法打开读卡器 {path}：{source}"),
            IdCardError::Io { source, .. } => format!("串口通信失败：{source}"),
            IdCardError::Timeout { command, waited_ms } => format!("读卡器{waited_ms}毫秒内未应答（{}）", command.zh()),
            IdCardError::Truncated { command, got, expected } => {
                format!("读卡器应答中断（{}）：收到{got}字节{}", command.zh(), expected.map_or(String::new(), |e| format!("，应为{e}字节")))
            }
            IdCardError::Frame { command, source } => format!("读卡器应答有误（{}）：{}", command.zh(), source.zh()),
            IdCardError::ShortAnswer { command, got, needed } => format!("帧过短：{}的应答数据为{got}字节，应至少{needed}字节", command.zh()),
            IdCardError::BlockLength { command, what, len } => format!("{}的应答中{what}长度为{len}字节，不符合标准", command.zh()),
            IdCardError::UnknownStatus { command, sw } => format!("读卡器返回未知状态 {:02X} {:02X} {:02X}（{}）", sw[0], sw[1], sw[2], command.zh()),
            IdCardError::Status { command, status } => format!("读卡器拒绝{}：{}（0x{:02X}）", command.zh(), status.zh(), status.0),
            IdCardError::NoCard => "读卡器上没有证件".into(),
            IdCardError::CardRemoved { step } => format!("证件在{}前已离开读卡器，请重新放置", step.zh()),
            IdCardError::Text(t) => t.zh(),
            IdCardError::Load { path, source } => format!("无法加载读卡器动态库 {}：{source}", path.display()),
            IdCardError::MissingSymbol { path, symbol } => format!("{} 未导出 {symbol}，不是可用的读卡器动态库", path.display()),
            IdCardError::BadPort { port } => format!("{port}不是读卡器端口：USB端口为1001–1016，串口为1–16"),
            IdCardError::NoReader { path } => format!("{} 在USB端口1001–1016和串口1–16上均未找到读卡器", path.display()),
            IdCardError::Library { function, status } => format!("{function}失败：{}（0x{:02X}）", status.zh(), status.0),
            IdCardError::LibraryAnswer { function, what } => format!("{function}返回异常：{what}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_has_a_kind_and_both_languages() {
        let cases = [
            (IdCardError::NoCard, ErrorKind::NoCard, "no card on the reader", "读卡器上没有证件"),
            (IdCardError::CardRemoved { step: Step::Read }, ErrorKind::CardRemoved, "taken off the reader before it could be read", "读卡前已离开"),
            (IdCardError::Frame { command: Command::ReadText, source: FrameError::BadCheck { expected: 1, found: 2 } }, ErrorKind::BadCheckByte, "wrong check byte", "校验和错"),
            (IdCardError::Frame { command: Command::ReadText, source: FrameError::Oversized { len: 9000, cap: 2560 } }, ErrorKind::OversizedFrame, "oversized frame", "帧过长"),
            (IdCardError::ShortAnswer { command: Command::ReadText, got: 100, needed: 1284 }, ErrorKind::ShortFrame, "short frame", "帧过短"),
            (IdCardError::UnknownStatus { command: Command::ReadText, sw: [0, 0, 0x55] }, ErrorKind::UnknownStatus, "unknown status 00 00 55", "未知状态"),
            (IdCardError::Timeout { command: Command::FindCard, waited_ms: 500 }, ErrorKind::Timeout, "did not answer find card within 500 ms", "未应答"),
            (IdCardError::Truncated { command: Command::ReadText, got: 600, expected: Some(1295) }, ErrorKind::Truncated, "after 600 of 1295 bytes", "应答中断"),
            (TextError::NotUcs2 { field: "name", offset: 2, unit: 0xD800 }.into(), ErrorKind::BadText, "name is not UCS-2 text: 0xD800 at byte 2", "姓名不是UCS-2文字"),
            (TextError::CheckDigit { position: 18, found: '5', expected: '2' }.into(), ErrorKind::BadIdNumber, "check character (position 18)", "第18位校验码"),
            (TextError::UnsupportedType { flag: 'Y' }.into(), ErrorKind::UnsupportedCardType, "flag 'Y' at byte 248 (likely the 2023", "类型标识“Y”"),
        ];
        for (err, kind, en, zh) in cases {
            assert_eq!(err.kind(), kind, "{err}");
            assert!(err.to_string().contains(en), "{err}");
            assert!(err.zh().contains(zh), "{}", err.zh());
        }
    }
}
