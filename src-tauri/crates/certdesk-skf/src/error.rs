//! SKF return codes (`SAR_*`, GM/T 0016 appendix A, as GmSSL's `skf.h` lists them) with an
//! English and a Chinese text each, and the crate's error type: every failed call carries the
//! function that failed and its code; the PIN and device-removed cases have variants of their
//! own because the counter acts on them.

use std::path::PathBuf;

/// An SKF return code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sar(pub u32);

macro_rules! sar_codes {
    ($($name:ident = $code:literal, $en:literal, $zh:literal;)*) => {
        impl Sar {
            $(pub const $name: Sar = Sar($code);)*

            /// The code's name in the standard (`SAR_PIN_INCORRECT`), or None for a vendor code.
            pub fn name(self) -> Option<&'static str> {
                match self.0 { $($code => Some(stringify!($name)),)* _ => None }
            }
            /// What the code means, in English.
            pub fn en(self) -> &'static str {
                match self.0 { $($code => $en,)* _ => "vendor-specific error" }
            }
            /// What the code means, in Chinese (the counter's language).
            pub fn zh(self) -> &'static str {
                match self.0 { $($code => $zh,)* _ => "厂商自定义错误" }
            }
        }
    };
}

sar_codes! {
    SAR_OK = 0x0000_0000, "success", "成功";
    SAR_FAIL = 0x0A00_0001, "failed", "失败";
    SAR_UNKNOWNERR = 0x0A00_0002, "unknown error", "未知错误";
    SAR_NOTSUPPORTYETERR = 0x0A00_0003, "not supported", "不支持的服务";
    SAR_FILEERR = 0x0A00_0004, "file error", "文件操作错误";
    SAR_INVALIDHANDLEERR = 0x0A00_0005, "invalid handle", "无效的句柄";
    SAR_INVALIDPARAMERR = 0x0A00_0006, "invalid parameter", "无效的参数";
    SAR_READFILEERR = 0x0A00_0007, "cannot read the file", "读文件错误";
    SAR_WRITEFILEERR = 0x0A00_0008, "cannot write the file", "写文件错误";
    SAR_NAMELENERR = 0x0A00_0009, "name too long", "名称长度错误";
    SAR_KEYUSAGEERR = 0x0A00_000A, "key usage error", "密钥用途错误";
    SAR_MODULUSLENERR = 0x0A00_000B, "modulus length error", "模的长度错误";
    SAR_NOTINITIALIZEERR = 0x0A00_000C, "not initialised", "未初始化";
    SAR_OBJERR = 0x0A00_000D, "object error", "对象错误";
    SAR_MEMORYERR = 0x0A00_000E, "out of memory", "内存错误";
    SAR_TIMEOUTERR = 0x0A00_000F, "timed out", "超时";
    SAR_INDATALENERR = 0x0A00_0010, "input data length error", "输入数据长度错误";
    SAR_INDATAERR = 0x0A00_0011, "input data error", "输入数据错误";
    SAR_GENRANDERR = 0x0A00_0012, "random generation failed", "生成随机数错误";
    SAR_HASHOBJERR = 0x0A00_0013, "hash object error", "HASH对象错";
    SAR_HASHERR = 0x0A00_0014, "hash failed", "HASH运算错误";
    SAR_GENRSAKEYERR = 0x0A00_0015, "RSA key generation failed", "产生RSA密钥错";
    SAR_RSAMODULUSLENERR = 0x0A00_0016, "RSA modulus length error", "RSA密钥模长错误";
    SAR_CSPIMPRTPUBKEYERR = 0x0A00_0017, "public key import failed", "CSP服务导入公钥错误";
    SAR_RSAENCERR = 0x0A00_0018, "RSA encryption failed", "RSA加密错误";
    SAR_RSADECERR = 0x0A00_0019, "RSA decryption failed", "RSA解密错误";
    SAR_HASHNOTEQUALERR = 0x0A00_001A, "hashes differ", "HASH值不相等";
    SAR_KEYNOTFOUNTERR = 0x0A00_001B, "key not found", "密钥未发现";
    SAR_CERTNOTFOUNTERR = 0x0A00_001C, "certificate not found", "证书未发现";
    SAR_NOTEXPORTERR = 0x0A00_001D, "object not exported", "对象未导出";
    SAR_DECRYPTPADERR = 0x0A00_001E, "padding error on decryption", "解密时做补丁错误";
    SAR_MACLENERR = 0x0A00_001F, "MAC length error", "MAC长度错误";
    SAR_BUFFER_TOO_SMALL = 0x0A00_0020, "buffer too small", "缓冲区不足";
    SAR_KEYINFOTYPEERR = 0x0A00_0021, "key type error", "密钥类型错误";
    SAR_NOT_EVENTERR = 0x0A00_0022, "no event", "无事件错误";
    SAR_DEVICE_REMOVED = 0x0A00_0023, "device removed", "设备已移除";
    SAR_PIN_INCORRECT = 0x0A00_0024, "wrong PIN", "PIN码错误";
    SAR_PIN_LOCKED = 0x0A00_0025, "PIN locked", "PIN已锁死";
    SAR_PIN_INVALID = 0x0A00_0026, "PIN invalid", "PIN无效";
    SAR_PIN_LEN_RANGE = 0x0A00_0027, "PIN length out of range", "PIN长度错误";
    SAR_USER_ALREADY_LOGGED_IN = 0x0A00_0028, "already logged in", "用户已经登录";
    SAR_USER_PIN_NOT_INITIALIZED = 0x0A00_0029, "user PIN not initialised", "没有初始化用户口令";
    SAR_USER_TYPE_INVALID = 0x0A00_002A, "invalid PIN type", "PIN类型错误";
    SAR_APPLICATION_NAME_INVALID = 0x0A00_002B, "invalid application name", "应用名称无效";
    SAR_APPLICATION_EXISTS = 0x0A00_002C, "application exists", "应用已经存在";
    SAR_USER_NOT_LOGGED_IN = 0x0A00_002D, "not logged in", "用户没有登录";
    SAR_APPLICATION_NOT_EXISTS = 0x0A00_002E, "application does not exist", "应用不存在";
    SAR_FILE_ALREADY_EXIST = 0x0A00_002F, "file exists", "文件已经存在";
    SAR_NO_ROOM = 0x0A00_0030, "no room left on the device", "存储空间不足";
    SAR_FILE_NOT_EXIST = 0x0A00_0031, "file does not exist", "文件不存在";
    SAR_REACH_MAX_CONTAINER_COUNT = 0x0A00_0032, "too many containers", "已达到最大可管理容器数";
}

impl std::fmt::Debug for Sar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for Sar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} (0x{:08X})", self.0),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}

/// What went wrong with an SKF library or key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SkfError {
    #[error("cannot load {path}: {source}")]
    Load {
        path: PathBuf,
        #[source]
        source: libloading::Error,
    },
    #[error("{path} does not export {symbol}: not an SKF library, or one without a call the counter needs")]
    MissingSymbol { path: PathBuf, symbol: &'static str },
    #[error("{path} is neither a PKCS#11 module (no C_GetFunctionList) nor an SKF library (no SKF_EnumDev)")]
    NotAModule { path: PathBuf },
    #[error("{function}: wrong PIN, {tries_left} tries left")]
    PinIncorrect { function: &'static str, tries_left: u32 },
    #[error("{function}: the PIN is locked; unblock it with the administrator PIN")]
    PinLocked { function: &'static str },
    #[error("{function}: the key was removed")]
    DeviceRemoved { function: &'static str },
    #[error("{function} failed: {code}, {}", code.en())]
    Sar { function: &'static str, code: Sar },
    #[error("{function} answered malformed data: {what}")]
    Malformed { function: &'static str, what: &'static str },
    #[error("{0} contains a NUL byte")]
    Nul(&'static str),
}

impl SkfError {
    /// The error a function's nonzero return code means.
    pub fn from_code(function: &'static str, code: u32, tries_left: Option<u32>) -> Self {
        match Sar(code) {
            Sar::SAR_PIN_INCORRECT => match tries_left {
                Some(0) => SkfError::PinLocked { function },
                Some(n) => SkfError::PinIncorrect { function, tries_left: n },
                None => SkfError::Sar { function, code: Sar(code) },
            },
            Sar::SAR_PIN_LOCKED => SkfError::PinLocked { function },
            Sar::SAR_DEVICE_REMOVED => SkfError::DeviceRemoved { function },
            code => SkfError::Sar { function, code },
        }
    }

    /// The SKF code behind this error, when a call returned one.
    pub fn code(&self) -> Option<Sar> {
        match self {
            SkfError::PinIncorrect { .. } => Some(Sar::SAR_PIN_INCORRECT),
            SkfError::PinLocked { .. } => Some(Sar::SAR_PIN_LOCKED),
            SkfError::DeviceRemoved { .. } => Some(Sar::SAR_DEVICE_REMOVED),
            SkfError::Sar { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The SKF function that failed, when one did.
    pub fn function(&self) -> Option<&'static str> {
        match self {
            SkfError::PinIncorrect { function, .. }
            | SkfError::PinLocked { function }
            | SkfError::DeviceRemoved { function }
            | SkfError::Sar { function, .. }
            | SkfError::Malformed { function, .. } => Some(function),
            _ => None,
        }
    }

    /// The message for the counter, in Chinese.
    pub fn zh(&self) -> String {
        match self {
            SkfError::Load { path, .. } => format!("无法加载密钥驱动库 {}", path.display()),
            SkfError::MissingSymbol { path, symbol } => format!("{} 不是完整的SKF驱动库（缺少 {symbol}）", path.display()),
            SkfError::NotAModule { path } => format!("{} 既不是PKCS#11模块也不是SKF驱动库", path.display()),
            SkfError::PinIncorrect { tries_left, .. } => format!("PIN码错误，还可尝试{tries_left}次"),
            SkfError::PinLocked { .. } => "PIN已锁死，请用管理员PIN解锁".to_string(),
            SkfError::DeviceRemoved { .. } => "USB Key已拔出，请插入后重试".to_string(),
            SkfError::Sar { function, code } => format!("{function} 失败：{}（0x{:08X}）", code.zh(), code.0),
            SkfError::Malformed { function, .. } => format!("{function} 返回的数据格式错误"),
            SkfError::Nul(what) => format!("{what}含有非法字符"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_codes_become_typed_errors_with_chinese_text() {
        let e = SkfError::from_code("SKF_VerifyPIN", 0x0A00_0024, Some(3));
        assert!(matches!(e, SkfError::PinIncorrect { tries_left: 3, .. }));
        assert_eq!(e.zh(), "PIN码错误，还可尝试3次");
        assert_eq!(e.code(), Some(Sar::SAR_PIN_INCORRECT));
        assert!(matches!(SkfError::from_code("SKF_VerifyPIN", 0x0A00_0025, Some(0)), SkfError::PinLocked { .. }));
        assert!(matches!(SkfError::from_code("SKF_GetDevInfo", 0x0A00_0023, None), SkfError::DeviceRemoved { function: "SKF_GetDevInfo" }));
        let other = SkfError::from_code("SKF_ExportCertificate", 0x0A00_001C, None);
        assert_eq!(other.to_string(), "SKF_ExportCertificate failed: SAR_CERTNOTFOUNTERR (0x0A00001C), certificate not found");
        assert_eq!(Sar(0x0B00_0001).name(), None);
    }
}
