//! The reader's status codes: SW3 of a GA/T 467 answer (SW1 SW2 are `00 00`), which the vendors'
//! `SDT_*` functions also return, plus the four codes only those libraries return (port, PC
//! timeout, transfer, SAM serial port). Each has an English and a Chinese text (the Chinese is
//! the wording of the vendors' API documents). Does not decide what a code means for a given
//! command: that is `serial` and `sdt`.

/// A status byte of the reader (SW3) or a return value of an `SDT_*` function.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status(pub u8);

macro_rules! statuses {
    ($($name:ident = $code:literal, $line:literal, $en:literal, $zh:literal;)*) => {
        impl Status {
            $(pub const $name: Status = Status($code);)*

            /// Whether the code is one a reader may send on the line (SW3); the others are
            /// returned only by vendor libraries, and a frame carrying one is an unknown status.
            pub fn on_line(self) -> bool {
                match self.0 { $($code => $line,)* _ => false }
            }
            /// Whether the code is known at all.
            pub fn known(self) -> bool {
                matches!(self.0, $($code)|*)
            }
            /// What the code means, in English.
            pub fn en(self) -> &'static str {
                match self.0 { $($code => $en,)* _ => "unknown status" }
            }
            /// What the code means, in Chinese.
            pub fn zh(self) -> &'static str {
                match self.0 { $($code => $zh,)* _ => "未知状态" }
            }
        }
    };
}

statuses! {
    SUCCESS = 0x90, true, "success", "操作成功";
    NO_CONTENT = 0x91, true, "the card holds no such item", "证/卡中此项无内容";
    FOUND = 0x9F, true, "card found", "寻找证/卡成功";
    PORT = 0x01, false, "the port cannot be opened, is not open or is not a valid port number", "端口打开失败/端口尚未打开/端口号不合法";
    PC_TIMEOUT = 0x02, false, "the PC did not receive the expected data in time", "PC接收超时，在规定的时间内未接收到规定长度的数据";
    TRANSFER = 0x03, false, "data transfer error", "数据传输错误";
    SAM_PORT = 0x05, false, "the SAM's serial port is not usable", "该SAM_V串口不可用";
    CHECKSUM = 0x10, true, "the reader received a wrong check byte", "接收业务终端数据的校验和错";
    LENGTH = 0x11, true, "the reader received a wrong length", "接收业务终端数据的长度错";
    COMMAND = 0x21, true, "the reader received an invalid command", "接收业务终端的命令错误";
    NOT_PERMITTED = 0x23, true, "operation not permitted", "越权操作";
    UNRECOGNISED = 0x24, true, "unrecognised error", "无法识别的错误";
    CARD_AUTH_SAM = 0x31, true, "the card did not authenticate the SAM", "证/卡认证SAM_V失败";
    SAM_AUTH_CARD = 0x32, true, "the SAM did not authenticate the card", "SAM_V认证证/卡失败";
    VERIFY = 0x33, true, "information verification failed", "信息验证错误";
    CARD_TYPE = 0x40, true, "unrecognised card type", "无法识别的卡类型";
    READ_FAILED = 0x41, true, "reading the card failed", "读证/卡操作失败";
    RANDOM = 0x47, true, "getting a random number failed", "取随机数失败";
    SAM_SELF_TEST = 0x60, true, "the SAM's self-test failed", "SAM_V自检失败，不能接收命令";
    SAM_UNAUTHORISED = 0x66, true, "the SAM is not authorised", "SAM_V没经过授权，无法使用";
    NOT_FOUND = 0x80, true, "no card found", "寻找证/卡失败";
    SELECT_FAILED = 0x81, true, "selecting the card failed", "选取证/卡失败";
}

impl std::fmt::Debug for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{:02X} ({})", self.0, self.en())
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn codes_of_the_line_and_of_the_libraries_are_told_apart() {
        assert!(Status(0x90).on_line() && Status(0x9F).on_line() && Status(0x41).on_line());
        assert!(Status(0x02).known() && !Status(0x02).on_line());
        assert!(!Status(0x55).known() && !Status(0x55).on_line());
        assert_eq!(Status(0x80).zh(), "寻找证/卡失败");
        assert_eq!(Status(0x41).to_string(), "0x41 (reading the card failed)");
    }
}
